package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q4_K and Q5_K with an importance matrix ({@code quantize_row_q4_K_impl}, {@code quantize_row_q5_K_impl}):
 * weights {@code qw * sqrt(sigma2 + x²)} with sigma2 twice the block's mean square, groups of 32 fitted with
 * {@code make_qkx3_quants}, the 6-bit scales and minimums fitted with {@code make_qp_quants} weighted by each group's
 * total weight, then the levels re-derived and packed as the reference quantizers do.
 */
final class WeightedQkKQuantizer extends WeightedQuantizer {
    private final int nmax;
    private final byte[] levels = new byte[256];
    private final byte[] laux = new byte[32];
    private final float[] weight = new float[32];
    private final float[] sw = new float[8];
    private final float[] mins = new float[8];
    private final float[] scales = new float[8];
    private final byte[] lsBytes = new byte[8];
    private final byte[] lmBytes = new byte[8];
    private final int[] ls = new int[8];
    private final int[] lm = new int[8];

    WeightedQkKQuantizer(DType type, float[] importance) {
        super(type, importance);
        this.nmax = switch (type) {
            case Q4_K -> 15;
            case Q5_K -> 31;
            default -> throw new IllegalArgumentException(type + " is neither Q4_K nor Q5_K");
        };
    }

    @Override
    void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo) {
        float sigma2 = blockSigma2(x, xo);
        for (int j = 0; j < 8; ++j) {
            weights(x, xo + 32 * j, column + 32 * j, sigma2, weight, 0, 32);
            float sumw = 0;
            for (int l = 0; l < 32; ++l) sumw += weight[l];
            sw[j] = sumw;
            scales[j] = WeightedScaleSearch.makeQkx3Quants(32, nmax, x, xo + 32 * j, weight, 0, levels, 32 * j,
                    mins, j, laux, -0.9f, 0.05f, 36, false);
        }
        float dBlock = WeightedScaleSearch.makeQpQuants(8, 63, scales, lsBytes, sw);
        float mBlock = WeightedScaleSearch.makeQpQuants(8, 63, mins, lmBytes, sw);
        for (int j = 0; j < 8; ++j) {
            // ggml's uint8_t levels; only its Q5_K clamps them to 63 (a negative fit would wrap to > 63)
            ls[j] = nmax == 31 ? Math.min(63, lsBytes[j] & 0xFF) : lsBytes[j] & 0xFF;
            lm[j] = nmax == 31 ? Math.min(63, lmBytes[j] & 0xFF) : lmBytes[j] & 0xFF;
        }
        KPacking.packScaleMin(ls, lm, y, yo + 4);
        putHalf(y, yo, toHalf(dBlock));
        putHalf(y, yo + 2, toHalf(mBlock));
        ScaleMinFit.requantize(x, xo, y, yo, nmax, levels);
        if (nmax == 15) Q4_KQuantizer.pack(levels, y, yo);
        else Q5_KQuantizer.pack(levels, y, yo);
    }
}
