package dev.quantscope.quant.ggml;

import static dev.quantscope.quant.ggml.GgmlFloats.nearestInt;

/**
 * The scale searches only ggml's importance-weighted quantizers use ({@code make_qkx3_quants},
 * {@code make_qp_quants}), with ggml's float operations in ggml's order, as {@link ScaleSearch} does for the
 * unweighted ones. ({@code make_qx_quants} with weights is {@link ScaleSearch#makeQxQuants}.)
 */
final class WeightedScaleSearch {
    private WeightedScaleSearch() {}

    /**
     * {@code make_qkx3_quants} with weights: asymmetric levels in [0, nmax] and a minimum, fitted by weighted least
     * squares over {@code nstep+1} candidate inverse scales. Unlike {@code make_qkx2_quants}, a candidate's levels are
     * computed from a clamped product so that a degenerate fit cannot overflow. The negated minimum goes to
     * {@code mins[mo]}.
     *
     * @param weights {@code n} weights at {@code weights[wo]}
     * @param laux    scratch of at least {@code n} bytes
     * @return the scale
     */
    static float makeQkx3Quants(int n, int nmax, float[] x, int xo, float[] weights, int wo, byte[] L, int lo,
                                float[] mins, int mo, byte[] laux, float rmin, float rdelta, int nstep,
                                boolean useMad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[wo];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; ++i) {
            float xi = x[xo + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[wo + i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max <= min) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            mins[mo] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xo + i];
            int l = nearestInt(iscale * (xi - min));
            l = Math.max(0, Math.min(nmax, l));
            L[lo + i] = (byte) l;
            float diff = scale * l + min - xi;
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestMad += weights[wo + i] * diff;
        }
        if (nstep < 1) {
            mins[mo] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; ++is) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                float v = iscale * (xi - min);
                // C's MIN(v, nmax) compares in float; a NaN v fails v > 0 and gives 0, as in ggml
                int l = v > 0 ? nearestInt(v < nmax ? v : (float) nmax) : 0;
                laux[i] = (byte) l;
                float w = weights[wo + i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * xi;
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; ++i) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    mad += weights[wo + i] * diff;
                }
                if (mad < bestMad) {
                    System.arraycopy(laux, 0, L, lo, n);
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[mo] = -min;
        return scale;
    }

    /**
     * {@code make_qp_quants}: non-negative levels in [0, nmax] for non-negative values (the group scales or minimums
     * of a k-quant block), the scale chosen among nine candidates by weighted squared error, then up to five passes
     * moving single levels. Levels are ggml's {@code uint8_t}s, so they are read back unsigned here.
     *
     * @return the scale
     */
    static float makeQpQuants(int n, int nmax, float[] x, byte[] L, float[] qw) {
        float max = 0;
        for (int i = 0; i < n; ++i) max = max > x[i] ? max : x[i]; // C's MAX, also for NaN and -0
        if (max < ScaleSearch.GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[i] = 0;
            return 0f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; ++i) L[i] = (byte) nearestInt(iscale * x[i]);
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; ++i) {
            float diff = x[i] - scale * (L[i] & 0xFF);
            bestMse += qw[i] * diff * diff;
        }
        for (int is = -4; is <= 4; ++is) {
            if (is == 0) continue;
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; ++i) {
                int l = Math.min(nmax, nearestInt(iscaleIs * x[i]));
                float diff = x[i] - scaleIs * l;
                mse += qw[i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = Math.min(nmax, nearestInt(iscale * x[i]));
            L[i] = (byte) l;
            float w = qw[i]; // ggml sums with the int level, before it is narrowed into L
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; ++itry) {
            int nChanged = 0;
            for (int i = 0; i < n; ++i) {
                float w = qw[i];
                int li = L[i] & 0xFF;
                float slx = sumlx - w * x[i] * li;
                float sl2 = suml2 - w * li * li;
                if (slx > 0 && sl2 > 0) {
                    int newL = Math.min(nmax, nearestInt(x[i] * sl2 / slx));
                    if (newL != li) {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            ++nChanged;
                        }
                    }
                }
            }
            if (nChanged == 0) break;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }
}
