package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q2_K: 256 weights in 84 bytes: 16 groups of 16 weights, each group with a 4-bit scale and a 4-bit min.
 * <pre>
 *    0  uint8_t   scales[16]  group g: scale in the low nibble, min in the high nibble
 *   16  uint8_t   qs[64]      2-bit codes
 *   80  ggml_half d           super-block scale of the group scales
 *   82  ggml_half dmin        super-block scale of the group mins
 * </pre>
 * Codes are laid out in two halves of 128 weights, each half using 32 bytes of qs: the k-th bit pair
 * (shift 2k) of bytes 0..15 and then 16..31 holds groups 2k and 2k+1 of that half.
 * Weight = (d * scale) * q - (dmin * min), the two products rounded first, as ggml does.
 */
final class BlockQ2_K extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 84, SCALES = 0, QS = 16, D = 80, DMIN = 82;

    BlockQ2_K() { super(DType.Q2_K); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        float dmin = half(s, at + DMIN);
        int group = 0;
        for (int half = 0; half < 2; half++) {
            long q = at + QS + 32L * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 32; part += 16) {
                    int sc = u8(s, at + SCALES + group++);
                    float dl = d * (sc & 0xF);
                    float ml = dmin * (sc >>> 4);
                    for (int l = 0; l < 16; l++) {
                        y[o++] = dl * ((u8(s, q + part + l) >>> shift) & 3) - ml;
                    }
                }
            }
        }
    }
}
