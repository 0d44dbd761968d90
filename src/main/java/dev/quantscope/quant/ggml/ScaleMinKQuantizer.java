package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

/**
 * Q4_K and Q5_K without an importance matrix: eight groups of 32 per block fitted by {@link ScaleMinFit} (levels
 * and a minimum, weights rms + |x|), 6-bit group scales and minimums, levels re-derived from the stored values.
 * The two differ only in the level range, the scale search and how the levels are packed.
 */
abstract sealed class ScaleMinKQuantizer extends GgmlQuantizer permits Q4_KQuantizer, Q5_KQuantizer {
    private final ScaleMinFit fit;
    private final int blockBytes;

    ScaleMinKQuantizer(DType type, ScaleMinFit fit) {
        super(type);
        this.fit = fit;
        this.blockBytes = (int) type.blockBytes();
    }

    @Override
    final void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        quantizeBlocks(x, xo, 1, y, yo);
    }

    @Override
    final void quantizeBlocks(float[] x, int xo, int count, byte[] y, int yo) {
        for (int b = 0; b < count; b += ScaleMinFit.BLOCKS) {
            int blocks = Math.min(ScaleMinFit.BLOCKS, count - b);
            fit.quantize(x, xo + 256 * b, blocks, y, yo + blockBytes * b, blockBytes);
            for (int k = 0; k < blocks; ++k) packLevels(fit.levels, 256 * k, y, yo + blockBytes * (b + k));
        }
    }

    /** Packs the 256 levels of the block whose levels start at {@code lo} into the block at {@code y[yo]}. */
    abstract void packLevels(byte[] levels, int lo, byte[] y, int yo);
}
