package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q6_K: 256 weights in 210 bytes: 16 groups of 16 weights with signed 8-bit scales, 6-bit codes.
 * <pre>
 *     0  uint8_t   ql[128]     low 4 bits of each code
 *   128  uint8_t   qh[64]      top 2 bits of each code
 *   192  int8_t    scales[16]  group scales
 *   208  ggml_half d           super-block scale
 * </pre>
 * Each half of 128 weights uses 64 bytes of ql and 32 of qh: for l in 0..31, weight l takes the low nibble of
 * ql[l] and bits 0-1 of qh[l]; weight l+32 the low nibble of ql[l+32] and bits 2-3; weight l+64 the high
 * nibble of ql[l] and bits 4-5; weight l+96 the high nibble of ql[l+32] and bits 6-7.
 * Weight = (d * scale) * (q - 32), in that order, as ggml writes {@code d * sc[is] * q}.
 */
final class BlockQ6_K extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 210, QL = 0, QH = 128, SCALES = 192, D = 208;

    BlockQ6_K() { super(DType.Q6_K); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        for (int half = 0; half < 2; half++) {
            long ql = at + QL + 64L * half;
            long qh = at + QH + 32L * half;
            long sc = at + SCALES + 8L * half;
            for (int g = 0; g < 2; g++) {
                // (d * scale) rounded once per group of 16, exactly as ggml's left-to-right d * sc[is] * q.
                float s1 = d * i8(s, sc + g);
                float s2 = d * i8(s, sc + g + 2);
                float s3 = d * i8(s, sc + g + 4);
                float s4 = d * i8(s, sc + g + 6);
                for (int l = 16 * g; l < 16 * g + 16; l++) {
                    int lo = u8(s, ql + l);
                    int hi = u8(s, ql + 32 + l);
                    int h = u8(s, qh + l);
                    y[o + l] = s1 * (((lo & 0xF) | (h & 3) << 4) - 32);
                    y[o + 32 + l] = s2 * (((hi & 0xF) | ((h >>> 2) & 3) << 4) - 32);
                    y[o + 64 + l] = s3 * (((lo >>> 4) | ((h >>> 4) & 3) << 4) - 32);
                    y[o + 96 + l] = s4 * (((hi >>> 4) | ((h >>> 6) & 3) << 4) - 32);
                }
            }
            o += 128;
        }
    }
}
