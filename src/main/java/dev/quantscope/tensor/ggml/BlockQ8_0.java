package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q8_0: 32 weights in 34 bytes, one scale and signed 8-bit codes.
 * <pre>
 *   0  ggml_half d       scale
 *   2  int8_t    qs[32]  weight j
 * </pre>
 * Weight = q * d.
 */
final class BlockQ8_0 extends GgmlBlockDecoder {
    static final int ELEMENTS = 32, BYTES = 34, D = 0, QS = 2;

    BlockQ8_0() { super(DType.Q8_0); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        for (int j = 0; j < 32; j++) y[o + j] = i8(s, at + QS + j) * d;
    }
}
