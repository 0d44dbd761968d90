package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import java.util.EnumSet;
import java.util.Set;

/**
 * The base of ggml's importance-weighted quantizers ({@code quantize_q*(…, quant_weights)} with weights, the
 * {@code quantize_row_*_impl} paths llama-quantize runs with {@code --imatrix}). These are not the reference
 * quantizers with different weights: most use different scale searches ({@code make_qkx3_quants},
 * {@code make_qp_quants}) and some a statistic of the whole row, so every quantize call must cover whole rows.
 *
 * <p>{@link #importance} holds one row's column weights; block {@code b} of a row uses
 * {@code importance[b*blockElements …]}, exactly as ggml offsets {@code quant_weights} per block.
 */
abstract sealed class WeightedQuantizer extends GgmlQuantizer
        permits WeightedLegacyQuantizer, WeightedQ2_KQuantizer, WeightedQ3_KQuantizer, WeightedQkKQuantizer,
                WeightedQ6_KQuantizer, WeightedIQ4_NLQuantizer {

    static final Set<DType> TYPES = EnumSet.of(DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1,
            DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.IQ4_NL);

    final float[] importance;
    final int rowLength;
    private int rangeStart;

    WeightedQuantizer(DType type, float[] importance) {
        super(type);
        if (importance.length == 0 || importance.length % type.blockElements() != 0) {
            throw new IllegalArgumentException("a row of " + importance.length + " importance values is not a whole"
                    + " number of " + type + " blocks of " + type.blockElements());
        }
        for (int i = 0; i < importance.length; i++) {
            float v = importance[i];
            if (!(v >= 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException("importance[" + i + "] = " + v + " is not a finite value >= 0");
            }
        }
        this.importance = importance.clone();
        this.rowLength = importance.length;
    }

    static WeightedQuantizer of(DType type, float[] importance) {
        return switch (type) {
            case Q4_0, Q5_0, Q4_1, Q5_1 -> new WeightedLegacyQuantizer(type, importance);
            case Q2_K -> new WeightedQ2_KQuantizer(importance);
            case Q3_K -> new WeightedQ3_KQuantizer(importance);
            case Q4_K, Q5_K -> new WeightedQkKQuantizer(type, importance);
            case Q6_K -> new WeightedQ6_KQuantizer(importance);
            case IQ4_NL -> new WeightedIQ4_NLQuantizer(importance);
            default -> throw new IllegalArgumentException("ggml has no importance-weighted quantizer for " + type);
        };
    }

    /** The row length the importance was given for. */
    final int rowLength() { return rowLength; }

    @Override
    final void beginRange(int srcOff, int n) {
        if (n % rowLength != 0) {
            throw new IllegalArgumentException(n + " elements is not a whole number of rows of " + rowLength
                    + " (the importance vector's length)");
        }
        rangeStart = srcOff;
    }

    @Override
    final void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        int column = (xo - rangeStart) % rowLength;
        if (column == 0) startRow(x, xo);
        quantizeBlock(x, xo, column, y, yo);
    }

    /** Called at the first block of every row, {@code x[xo, xo+rowLength)}, before its blocks. */
    void startRow(float[] x, int xo) {}

    /** Quantizes the block at {@code x[xo]}, whose first column in its row is {@code column}. */
    abstract void quantizeBlock(float[] x, int xo, int column, byte[] y, int yo);

    /** ggml's {@code sum_x2/n} over a whole row, summed in order in float. */
    static float rowMeanSquare(float[] x, int xo, int n) {
        float sumX2 = 0;
        for (int j = 0; j < n; ++j) sumX2 += x[xo + j] * x[xo + j];
        return sumX2 / n;
    }

    /** ggml's {@code sigma2 = 2*sum_x2/QK_K} over one 256-element super-block. */
    static float blockSigma2(float[] x, int xo) {
        float sumX2 = 0;
        for (int l = 0; l < 256; ++l) sumX2 += x[xo + l] * x[xo + l];
        return 2 * sumX2 / 256;
    }

    /** {@code weight[l] = qw[l] * sqrtf(sigma2 + x[l]*x[l])} for {@code n} elements, the weight most types use. */
    final void weights(float[] x, int xo, int column, float sigma2, float[] weight, int wo, int n) {
        for (int l = 0; l < n; ++l) {
            float xl = x[xo + l];
            weight[wo + l] = importance[column + l] * (float) Math.sqrt(sigma2 + xl * xl);
        }
    }
}
