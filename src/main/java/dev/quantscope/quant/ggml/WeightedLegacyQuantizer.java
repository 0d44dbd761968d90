package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q4_0, Q5_0, Q4_1 and Q5_1 with an importance matrix ({@code quantize_row_q4_0_impl} and its siblings): per block
 * of 32, weights {@code qw * sqrt(sigma2 + x²)} with sigma2 the mean square of the whole row. The symmetric types
 * fit their scale with {@code make_qx_quants} (levels -nmax..nmax-1), the ones with a minimum with
 * {@code make_qkx3_quants}; the block layouts are those of the reference quantizers.
 */
final class WeightedLegacyQuantizer extends WeightedQuantizer {
    private final boolean withMin;
    private final boolean fiveBits;
    private final int nmax;
    private final float[] weight = new float[32];
    private final byte[] levels = new byte[32];
    private final byte[] laux = new byte[32];
    private final float[] min = new float[1];
    private float sigma2;

    WeightedLegacyQuantizer(DType type, float[] importance) {
        super(type, importance);
        this.withMin = type == DType.Q4_1 || type == DType.Q5_1;
        this.fiveBits = type == DType.Q5_0 || type == DType.Q5_1;
        this.nmax = switch (type) {
            case Q4_0 -> 8;
            case Q5_0 -> 16;
            case Q4_1 -> 15;
            case Q5_1 -> 31;
            default -> throw new IllegalArgumentException(type + " is not a 32-element legacy type");
        };
    }

    @Override
    void startRow(float[] x, int xo) {
        sigma2 = rowMeanSquare(x, xo, rowLength);
    }

    @Override
    void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo) {
        weights(x, xo, column, sigma2, weight, 0, 32);
        int q = yo + 2;
        if (withMin) {
            float d = WeightedScaleSearch.makeQkx3Quants(32, nmax, x, xo, weight, 0, levels, 0, min, 0, laux,
                    -0.9f, 0.05f, 36, false);
            putHalf(y, yo, toHalf(d));
            putHalf(y, yo + 2, toHalf(-min[0]));
            q += 2;
        } else {
            // levels come back offset by nmax, i.e. already 0..2*nmax-1 as the block stores them
            float d = ScaleSearch.makeQxQuants(32, nmax, x, xo, levels, 0, weight, 0);
            putHalf(y, yo, toHalf(d));
        }
        if (fiveBits) {
            int qh = 0;
            for (int j = 0; j < 16; ++j) {
                qh |= ((levels[j] & 0x10) >>> 4) << j;
                qh |= ((levels[j + 16] & 0x10) >>> 4) << (j + 16);
            }
            Q5_0Quantizer.putInt(y, q, qh);
            q += 4;
        }
        for (int j = 0; j < 16; ++j) y[q + j] = (byte) ((levels[j] & 0x0F) | ((levels[j + 16] & 0x0F) << 4));
    }
}
