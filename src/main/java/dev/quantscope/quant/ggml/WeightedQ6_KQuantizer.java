package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

/**
 * Q6_K with an importance matrix ({@code quantize_row_q6_K_impl}): the reference algorithm with each group's
 * {@code make_qx_quants} weighted by the importance values themselves (ggml leaves the sigma2 form commented out
 * for this type).
 */
final class WeightedQ6_KQuantizer extends WeightedQuantizer {
    private final byte[] levels = new byte[256];
    private final float[] scales = new float[16];

    WeightedQ6_KQuantizer(float[] importance) { super(DType.Q6_K, importance); }

    @Override
    void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo) {
        for (int ib = 0; ib < 16; ++ib) {
            scales[ib] = ScaleSearch.makeQxQuants(16, 32, x, xo + 16 * ib, levels, 16 * ib, importance,
                    column + 16 * ib);
        }
        Q6_KQuantizer.encode(x, xo, scales, levels, y, yo);
    }
}
