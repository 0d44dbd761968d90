package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q3_K: 256 weights in 110 bytes: 16 groups of 16 weights with signed 6-bit scales, 3-bit codes.
 * <pre>
 *     0  uint8_t   hmask[32]   third bit of each code, inverted: a clear bit subtracts 4
 *    32  uint8_t   qs[64]      low 2 bits of each code
 *    96  uint8_t   scales[12]  16 six-bit scales stored with an offset of 32, see {@link #scale}
 *   108  ggml_half d           super-block scale
 * </pre>
 * Codes run in two halves of 128 weights like Q2_K; hmask is not advanced per half: the half and the bit pair
 * together select one of its 8 bits. Weight = (d * (scale - 32)) * (q - (high bit clear ? 4 : 0)).
 */
final class BlockQ3_K extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 110, HMASK = 0, QS = 32, SCALES = 96, D = 108;

    BlockQ3_K() { super(DType.Q3_K); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float dAll = half(s, at + D);
        int group = 0;
        int mask = 1;
        for (int half = 0; half < 2; half++) {
            long q = at + QS + 32L * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 32; part += 16) {
                    float dl = dAll * (scale(s, at + SCALES, group++) - 32);
                    for (int l = 0; l < 16; l++) {
                        int low = (u8(s, q + part + l) >>> shift) & 3;
                        int high = (u8(s, at + HMASK + part + l) & mask) != 0 ? 0 : 4;
                        y[o++] = dl * (low - high);
                    }
                }
                mask <<= 1;
            }
        }
    }

    /**
     * The 6-bit scale of group {@code g} (0..15), before the offset of 32 is removed. Bytes 0..7 hold the low
     * 4 bits (groups 0..7 in low nibbles, groups 8..15 in high nibbles of the same bytes); byte 8 + g % 4 holds
     * the top 2 bits at bit position 2 * (g / 4).
     */
    static int scale(MemorySegment s, long scales, int g) {
        int lowByte = u8(s, scales + (g & 7));
        int low = g < 8 ? lowByte & 0xF : lowByte >>> 4;
        int high = (u8(s, scales + 8 + (g & 3)) >>> (2 * (g >>> 2))) & 3;
        return low | high << 4;
    }
}
