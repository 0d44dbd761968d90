package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q4_0: 32 weights in 18 bytes, one scale and 4-bit codes centred on 8.
 * <pre>
 *   0  ggml_half d       scale
 *   2  uint8_t   qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
 * </pre>
 * Weight = (q - 8) * d.
 */
final class BlockQ4_0 extends GgmlBlockDecoder {
    static final int ELEMENTS = 32, BYTES = 18, D = 0, QS = 2;

    BlockQ4_0() { super(DType.Q4_0); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + QS + j);
            y[o + j] = ((q & 0xF) - 8) * d;
            y[o + j + 16] = ((q >>> 4) - 8) * d;
        }
    }
}
