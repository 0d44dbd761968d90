package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.fromHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.nearestInt;
import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q2_K with an importance matrix ({@code quantize_row_q2_K_impl}): weights {@code qw * sqrt(sigma2 + x²)} with
 * sigma2 the block's mean square (Q2_K alone has no factor 2), groups of 16 fitted with {@code make_qkx3_quants}
 * (squared error), then the 4-bit group scales and minimums fitted with {@code make_qp_quants} weighted by each
 * group's total weight, and the levels re-derived from the stored values. Layout as the reference Q2_K.
 */
final class WeightedQ2_KQuantizer extends WeightedQuantizer {
    private final byte[] levels = new byte[256];
    private final byte[] laux = new byte[16];
    private final float[] weight = new float[16];
    private final float[] sw = new float[16];
    private final float[] mins = new float[16];
    private final float[] scales = new float[16];
    private final byte[] ls = new byte[16];
    private final byte[] lm = new byte[16];

    WeightedQ2_KQuantizer(float[] importance) { super(DType.Q2_K, importance); }

    @Override
    void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo) {
        float sumX2 = 0;
        for (int j = 0; j < 256; ++j) sumX2 += x[xo + j] * x[xo + j];
        float sigma2 = sumX2 / 256;
        for (int j = 0; j < 16; ++j) {
            weights(x, xo + 16 * j, column + 16 * j, sigma2, weight, 0, 16);
            float s = 0;
            for (int l = 0; l < 16; ++l) s += weight[l];
            sw[j] = s;
            scales[j] = WeightedScaleSearch.makeQkx3Quants(16, 3, x, xo + 16 * j, weight, 0, levels, 16 * j, mins, j,
                    laux, -0.9f, 0.05f, 36, false);
        }
        float dm = WeightedScaleSearch.makeQpQuants(16, 15, scales, ls, sw);
        float mm = WeightedScaleSearch.makeQpQuants(16, 15, mins, lm, sw);
        short d = toHalf(dm);
        short dmin = toHalf(mm);
        dm = fromHalf(d);
        mm = fromHalf(dmin);
        for (int j = 0; j < 16; ++j) y[yo + j] = (byte) ((ls[j] & 0xFF) | ((lm[j] & 0xFF) << 4));

        for (int j = 0; j < 16; ++j) {
            int sc = y[yo + j] & 0xFF;
            float dl = dm * (sc & 0xF);
            if (dl == 0f) continue;
            float ml = mm * (sc >> 4);
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt((x[xo + 16 * j + ii] + ml) / dl);
                levels[16 * j + ii] = (byte) Math.max(0, Math.min(3, l));
            }
        }
        KPacking.pack2Bit(levels, y, yo + 16);
        putHalf(y, yo + 80, d);
        putHalf(y, yo + 82, dmin);
    }
}
