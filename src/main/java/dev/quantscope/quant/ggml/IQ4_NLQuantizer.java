package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * IQ4_NL ({@code quantize_iq4_nl}, i.e. {@code quantize_row_iq4_nl_impl} with a block of 32, 16 values,
 * x² weights when there is no importance matrix, and 7 tries each side): each element picks the nearest of
 * ggml's 16 non-uniform levels; the scale is the best x²-weighted least-squares fit over 16 candidate
 * inverse scales. Block: d, qs[16] (element j low nibble, j+16 high nibble).
 *
 * <p>This is the path llama-quantize takes. ggml's {@code quantize_row_iq4_nl_ref} differs (no search, ntry -1).
 */
final class IQ4_NLQuantizer extends GgmlQuantizer {
    /** ggml's {@code kvalues_iq4nl}, sorted ascending. */
    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    private static final int NTRY = 7;

    /** Sums of neighbouring levels, VALUES[j-1] + VALUES[j] at index j: the decision midpoints, doubled. */
    private static final int[] MIDPOINT2 = new int[16];
    /** Doubled midpoints span [LOWEST, HIGHEST]; below LOWEST every input picks level 0. */
    private static final int LOWEST = VALUES[0] + VALUES[1];
    private static final int HIGHEST = VALUES[14] + VALUES[15];
    /** Level for each integer floor(2x) in [LOWEST - 1, HIGHEST]. */
    private static final byte[] LEVEL_BY_FLOOR = new byte[HIGHEST - LOWEST + 2];
    static {
        for (int j = 1; j < 16; j++) MIDPOINT2[j] = VALUES[j - 1] + VALUES[j];
        for (int f = LOWEST - 1; f <= HIGHEST; f++) {
            int idx = 0;
            while (idx < 15 && f >= MIDPOINT2[idx + 1]) idx++;
            LEVEL_BY_FLOOR[f - LOWEST + 1] = (byte) idx;
        }
    }

    private final float[] weight = new float[32];
    private final int[] levels = new int[32];

    IQ4_NLQuantizer() { super(DType.IQ4_NL); }

    /**
     * ggml's {@code best_index_int8} for 16 values: the highest level j whose doubled midpoint with its lower
     * neighbour {@code VALUES[j-1] + VALUES[j]} is at most {@code x + x} (ties go up). ggml binary-searches;
     * because the doubled midpoints are integers, {@code 2x >= m} is the same test as {@code floor(2x) >= m},
     * so a table indexed by floor(2x) gives the same answer with one lookup.
     */
    static int bestIndex(float x) {
        float x2 = x + x;
        if (!(x2 >= LOWEST)) return 0; // also NaN, for which every ggml comparison is false
        if (x2 >= HIGHEST) return 15;
        int t = (int) x2; // |x2| < 2^31 here, so truncation is exact
        int floor = x2 < t ? t - 1 : t;
        return LEVEL_BY_FLOOR[floor - LOWEST + 1];
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        for (int j = 0; j < 32; ++j) weight[j] = x[xo + j] * x[xo + j];
        encode(x, xo, weight, y, yo);
    }

    /** The scale search and packing of {@code quantize_row_iq4_nl_impl} for one block of 32 with the given weights. */
    void encode(float[] x, int xo, float[] weight, byte[] y, int yo) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; ++j) {
            float xj = x[xo + j];
            float ax = Math.abs(xj);
            if (ax > amax) {
                amax = ax;
                max = xj;
            }
        }
        float scale;
        if (amax < ScaleSearch.GROUP_MAX_EPS) {
            scale = 0;
        } else {
            float d = -max / VALUES[0];
            float id = 1 / d;
            float sumqx = 0, sumq2 = 0;
            for (int j = 0; j < 32; ++j) {
                float xj = x[xo + j];
                float q = VALUES[bestIndex(id * xj)];
                float w = weight[j];
                sumqx += w * q * xj;
                sumq2 += w * q * q;
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
            float best = d * sumqx;
            for (int itry = -NTRY; itry <= NTRY; ++itry) {
                id = (itry + VALUES[0]) / max;
                sumqx = sumq2 = 0;
                for (int j = 0; j < 32; ++j) {
                    float xj = x[xo + j];
                    float q = VALUES[bestIndex(id * xj)];
                    float w = weight[j];
                    sumqx += w * q * xj;
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scale = d;
        }

        // one block per super-block: the final levels come from the unrounded scale (ggml's ntry > 0 branch)
        putHalf(y, yo, toHalf(scale));
        float id = scale != 0f ? 1 / scale : 0;
        for (int j = 0; j < 32; ++j) levels[j] = bestIndex(id * x[xo + j]);
        for (int j = 0; j < 16; ++j) y[yo + 2 + j] = (byte) (levels[j] | (levels[16 + j] << 4));
    }
}
