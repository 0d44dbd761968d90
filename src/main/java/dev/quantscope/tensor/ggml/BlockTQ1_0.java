package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_tq1_0 (ternary, BitNet b1.58 / TriLM): 256 weights in 54 bytes, 1.6875 bits per weight.
 * <pre>
 *    0  uint8_t   qs[48]  5 trits per byte
 *   48  uint8_t   qh[4]   4 trits per byte
 *   52  ggml_half d       scale
 * </pre>
 * A byte holds its trits as a base-3 fixed-point fraction: multiplying it by 3^n (mod 256) brings trit n to the
 * top, and (byte * 3) >> 8 reads it. Output order: qs[0..31] trit 0, ..., qs[0..31] trit 4 (160 weights), then
 * qs[32..47] trit 0..4 (80 weights), then qh[0..3] trit 0..3 (16 weights). Weight = (trit - 1) * d.
 */
final class BlockTQ1_0 extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 54, QS = 0, QH = 48, D = 52;

    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    BlockTQ1_0() { super(DType.TQ1_0); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        for (int n = 0; n < 5; n++) {
            for (int m = 0; m < 32; m++) y[o++] = (trit(u8(s, at + QS + m), n) - 1) * d;
        }
        for (int n = 0; n < 5; n++) {
            for (int m = 0; m < 16; m++) y[o++] = (trit(u8(s, at + QS + 32 + m), n) - 1) * d;
        }
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 4; j++) y[o++] = (trit(u8(s, at + QH + j), n) - 1) * d;
        }
    }

    /** Trit {@code n} (0, 1 or 2) of a packed byte. */
    private static int trit(int packed, int n) {
        int q = (packed * POW3[n]) & 0xFF;
        return (q * 3) >>> 8;
    }
}
