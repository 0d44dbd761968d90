package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_q8_K: 256 weights in 292 bytes. ggml uses it for intermediate activations, rarely in files.
 * <pre>
 *     0  float   d          scale (a full float, unlike the other types)
 *     4  int8_t  qs[256]    weight j
 *   260  int16_t bsums[16]  sums of groups of 16 codes, for dot products; not needed to decode
 * </pre>
 * Weight = d * q.
 */
final class BlockQ8_K extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 292, D = 0, QS = 4;

    BlockQ8_K() { super(DType.Q8_K); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = f32(s, at + D);
        for (int j = 0; j < 256; j++) y[o + j] = d * i8(s, at + QS + j);
    }
}
