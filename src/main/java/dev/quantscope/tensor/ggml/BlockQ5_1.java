package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q5_1: 32 weights in 24 bytes, a scale and a minimum with unsigned 5-bit codes.
 * <pre>
 *   0  ggml_half d       scale
 *   2  ggml_half m       minimum
 *   4  uint8_t   qh[4]   bit j (little-endian uint32) is the 5th bit of weight j
 *   8  uint8_t   qs[16]  low 4 bits: weight j in the low nibble of qs[j], weight j+16 in the high nibble
 * </pre>
 * Weight = q * d + m (two roundings, no fused multiply-add).
 */
final class BlockQ5_1 extends GgmlBlockDecoder {
    static final int ELEMENTS = 32, BYTES = 24, D = 0, M = 2, QH = 4, QS = 8;

    BlockQ5_1() { super(DType.Q5_1); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        float m = half(s, at + M);
        int qh = u32(s, at + QH);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + QS + j);
            int high0 = ((qh >>> j) & 1) << 4;
            int high1 = ((qh >>> (j + 16)) & 1) << 4;
            y[o + j] = ((q & 0xF) | high0) * d + m;
            y[o + j + 16] = ((q >>> 4) | high1) * d + m;
        }
    }
}
