package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q4_1: 32 weights in 20 bytes, a scale and a minimum with unsigned 4-bit codes.
 * <pre>
 *   0  ggml_half d       scale
 *   2  ggml_half m       minimum
 *   4  uint8_t   qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
 * </pre>
 * Weight = q * d + m, rounded after the product and again after the sum (no fused multiply-add).
 */
final class BlockQ4_1 extends GgmlBlockDecoder {
    static final int ELEMENTS = 32, BYTES = 20, D = 0, M = 2, QS = 4;

    BlockQ4_1() { super(DType.Q4_1); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        float m = half(s, at + M);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + QS + j);
            y[o + j] = (q & 0xF) * d + m;
            y[o + j + 16] = (q >>> 4) * d + m;
        }
    }
}
