package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

/**
 * IQ4_NL with an importance matrix ({@code quantize_row_iq4_nl_impl} given {@code quant_weights}): the same search
 * as without, with weights {@code qw * sqrt(sigma2 + x²)}, sigma2 twice the block's mean square.
 */
final class WeightedIQ4_NLQuantizer extends WeightedQuantizer {
    private final IQ4_NLQuantizer search = new IQ4_NLQuantizer();
    private final float[] weight = new float[32];

    WeightedIQ4_NLQuantizer(float[] importance) { super(DType.IQ4_NL, importance); }

    @Override
    void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo) {
        float sigma2 = 0;
        for (int j = 0; j < 32; ++j) sigma2 += x[xo + j] * x[xo + j];
        sigma2 *= 2.f / 32;
        weights(x, xo, column, sigma2, weight, 0, 32);
        search.encode(x, xo, weight, y, yo);
    }
}
