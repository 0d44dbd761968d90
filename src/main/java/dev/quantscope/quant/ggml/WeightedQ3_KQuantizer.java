package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import java.util.Arrays;

import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q3_K with an importance matrix ({@code quantize_row_q3_K_impl}): weights {@code qw * sqrt(sigma2 + x²)} with
 * sigma2 twice the block's mean square, groups of 16 fitted with weighted {@code make_qx_quants} (levels -4..3),
 * and the 6-bit group scales themselves fitted with {@code make_qx_quants} weighted by each group's total weight.
 * The levels are then re-derived from the stored scales exactly as the reference quantizer does.
 */
final class WeightedQ3_KQuantizer extends WeightedQuantizer {
    private final byte[] levels = new byte[256];
    private final float[] weight = new float[16];
    private final float[] sw = new float[16];
    private final float[] scales = new float[16];
    private final byte[] ls = new byte[16];
    private final byte[] sc = new byte[12];

    WeightedQ3_KQuantizer(float[] importance) { super(DType.Q3_K, importance); }

    @Override
    void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo) {
        float sigma2 = blockSigma2(x, xo);
        for (int j = 0; j < 16; ++j) {
            weights(x, xo + 16 * j, column + 16 * j, sigma2, weight, 0, 16);
            float sumw = 0;
            for (int l = 0; l < 16; ++l) sumw += weight[l];
            sw[j] = sumw;
            scales[j] = ScaleSearch.makeQxQuants(16, 4, x, xo + 16 * j, levels, 16 * j, weight, 0);
        }
        Arrays.fill(sc, (byte) 0);
        // the group scales' levels come back offset by 32: 0..63, the 6-bit values the block stores
        float dBlock = ScaleSearch.makeQxQuants(16, 32, scales, 0, ls, 0, sw, 0);
        for (int j = 0; j < 16; ++j) {
            int l = ls[j];
            if (j < 8) {
                sc[j] = (byte) (l & 0xF);
            } else {
                sc[j - 8] |= (byte) ((l & 0xF) << 4);
            }
            l >>= 4;
            sc[j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
        }
        Q3_KQuantizer.finish(x, xo, sc, toHalf(dBlock), levels, y, yo);
    }
}
