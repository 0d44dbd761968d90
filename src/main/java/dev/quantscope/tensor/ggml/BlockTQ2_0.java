package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.quantscope.tensor.ggml.BlockBytes.*;

/**
 * block_tq2_0 (ternary in 2 bits): 256 weights in 66 bytes.
 * <pre>
 *    0  uint8_t   qs[64]  2-bit codes 0, 1, 2 for -1, 0, +1
 *   64  ggml_half d       scale
 * </pre>
 * Each run of 32 bytes holds 128 weights: bit pair k (shift 2k) of bytes 0..31 gives weights 32k..32k+31.
 * Weight = (q - 1) * d.
 */
final class BlockTQ2_0 extends GgmlBlockDecoder {
    static final int ELEMENTS = 256, BYTES = 66, QS = 0, D = 64;

    BlockTQ2_0() { super(DType.TQ2_0); }

    @Override
    void decodeBlocks(MemorySegment s, int blocks, float[] y, int o) {
        for (int b = 0; b < blocks; b++) decodeBlock(s, (long) b * BYTES, y, o + b * ELEMENTS);
    }

    static void decodeBlock(MemorySegment s, long at, float[] y, int o) {
        float d = half(s, at + D);
        for (int run = 0; run < 64; run += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int m = 0; m < 32; m++) y[o++] = (((u8(s, at + QS + run + m) >>> shift) & 3) - 1) * d;
            }
        }
    }
}
