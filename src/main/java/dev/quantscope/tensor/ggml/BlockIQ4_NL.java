package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_iq4_nl: 32 weights in 18 bytes, laid out like Q4_0 but the 4-bit code indexes a fixed non-linear grid.
 * <pre>
 *   0  ggml_half d       scale
 *   2  uint8_t   qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
 * </pre>
 * Weight = d * GRID[q].
 */
final class BlockIQ4_NL extends GgmlBlockDecoder {
    static final int ELEMENTS = 32, BYTES = 18, D = 0, QS = 2;

    /** ggml's kvalues_iq4nl: denser near zero, where most weights are. */
    static final int[] GRID = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    BlockIQ4_NL() { super(DType.IQ4_NL); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        for (int j = 0; j < 16; j++) {
            int q = u8(s, at + QS + j);
            y[o + j] = d * GRID[q & 0xF];
            y[o + j + 16] = d * GRID[q >>> 4];
        }
    }
}
