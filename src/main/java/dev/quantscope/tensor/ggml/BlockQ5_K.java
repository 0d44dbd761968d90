package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q5_K: 256 weights in 176 bytes: Q4_K's groups and scales with a fifth code bit.
 * <pre>
 *    0  ggml_half d           super-block scale of the group scales
 *    2  ggml_half dmin        super-block scale of the group mins
 *    4  uint8_t   scales[12]  packed like Q4_K's
 *   16  uint8_t   qh[32]      bit 2c of qh[l] is the fifth bit of weight l of group 2c, bit 2c+1 of group 2c+1
 *   48  uint8_t   qs[128]     low 4 bits, laid out like Q4_K's
 * </pre>
 * Weight = (d * scale) * q - (dmin * min), products first, like Q4_K.
 */
final class BlockQ5_K extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 176, D = 0, DMIN = 2, SCALES = 4, QH = 16, QS = 48;

    BlockQ5_K() { super(DType.Q5_K); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        float dmin = half(s, at + DMIN);
        long scales = at + SCALES;
        for (int c = 0; c < 4; c++) {
            float d1 = d * BlockQ4_K.scale(s, scales, 2 * c);
            float m1 = dmin * BlockQ4_K.min(s, scales, 2 * c);
            float d2 = d * BlockQ4_K.scale(s, scales, 2 * c + 1);
            float m2 = dmin * BlockQ4_K.min(s, scales, 2 * c + 1);
            long q = at + QS + 32L * c;
            int bit1 = 2 * c, bit2 = 2 * c + 1;
            for (int l = 0; l < 32; l++) {
                int b = u8(s, q + l);
                int h = u8(s, at + QH + l);
                y[o + l] = d1 * ((b & 0xF) | ((h >>> bit1) & 1) << 4) - m1;
                y[o + 32 + l] = d2 * ((b >>> 4) | ((h >>> bit2) & 1) << 4) - m2;
            }
            o += 64;
        }
    }
}
