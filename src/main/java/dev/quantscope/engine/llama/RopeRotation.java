package dev.quantscope.engine.llama;

import java.util.List;

/**
 * RoPE for one model and context size: the angle of every (position, dimension pair) is computed once, in double,
 * into cos/sin tables that already carry YaRN's magnitude, so rotating a token is a table look-up and four
 * multiplications per pair, with no allocation. The frequencies follow ggml's rope: base θ^(−2i/d), divided by
 * the per-pair frequency factor (Llama 3), then scaled linearly or by YaRN's ramp. The frequencies and magnitude are
 * public so that a training forward pass ({@code train.llama}) rotates with exactly the engine's tables.
 */
public final class RopeRotation {

    private final int headDim, half;
    private final boolean adjacent;
    private final float[] cos, sin;

    RopeRotation(LlamaConfig c, int contextSize) {
        headDim = c.headDim();
        half = c.ropeDim() / 2;
        adjacent = c.ropeStyle() == RopeStyle.ADJACENT_PAIRS;
        double[] omega = pairFrequencies(c);
        double magnitude = magnitude(c.ropeScaling());
        cos = new float[Math.multiplyExact(contextSize, half)];
        sin = new float[cos.length];
        for (int p = 0; p < contextSize; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * omega[i];
                cos[p * half + i] = (float) (Math.cos(angle) * magnitude);
                sin[p * half + i] = (float) (Math.sin(angle) * magnitude);
            }
        }
    }

    /** Rotates the first {@code ropeDim} dimensions of each of the {@code nHeads} heads of {@code vec} to {@code pos}. */
    void rotate(float[] vec, int nHeads, int pos) {
        int base = pos * half;
        for (int h = 0; h < nHeads; h++) {
            int off = h * headDim;
            for (int i = 0; i < half; i++) {
                int ia = adjacent ? off + 2 * i : off + i;
                int ib = adjacent ? ia + 1 : ia + half;
                float cs = cos[base + i], sn = sin[base + i];
                float a = vec[ia], b = vec[ib];
                vec[ia] = a * cs - b * sn;
                vec[ib] = a * sn + b * cs;
            }
        }
    }

    /** Angle per position of each dimension pair, in radians. */
    public static double[] pairFrequencies(LlamaConfig c) {
        int dims = c.ropeDim(), half = dims / 2;
        List<Float> factors = c.ropeFreqFactors();
        if (!factors.isEmpty() && factors.size() != half) {
            throw new IllegalArgumentException(factors.size() + " RoPE frequency factors for " + half + " dimension pairs");
        }
        double[] omega = new double[half];
        for (int i = 0; i < half; i++) {
            double extrapolated = Math.pow(c.ropeTheta(), -2.0 * i / dims);
            if (!factors.isEmpty()) extrapolated /= factors.get(i);
            omega[i] = switch (c.ropeScaling()) {
                case RopeScaling.None n -> extrapolated;
                case RopeScaling.Linear l -> extrapolated / l.factor();
                case RopeScaling.Yarn y -> {
                    // ggml's rope_yarn with ext_factor 1: the ramp is 1 (keep the trained frequency) for pairs
                    // below the low correction dimension and 0 (interpolate by the factor) above the high one.
                    double[] corr = yarnCorrectionDims(dims, y, c.ropeTheta());
                    double ramp = 1 - Math.clamp((i - corr[0]) / Math.max(0.001, corr[1] - corr[0]), 0.0, 1.0);
                    yield extrapolated * ((1 - ramp) / y.factor() + ramp);
                }
            };
        }
        return omega;
    }

    /** The factor on cos and sin: YaRN's, else 1. */
    public static double magnitude(RopeScaling scaling) {
        return switch (scaling) {
            case RopeScaling.None n -> 1.0;
            case RopeScaling.Linear l -> 1.0;
            case RopeScaling.Yarn y -> y.magnitude();
        };
    }

    /**
     * ggml_rope_yarn_corr_dims: the (fractional) dimension whose pair turns {@code betaFast} times over the
     * original context, floored, and the one that turns {@code betaSlow} times, ceiled, clamped to [0, dims − 1].
     */
    static double[] yarnCorrectionDims(int dims, RopeScaling.Yarn y, double theta) {
        double start = Math.floor(correctionDim(dims, y.originalContext(), y.betaFast(), theta));
        double end = Math.ceil(correctionDim(dims, y.originalContext(), y.betaSlow(), theta));
        return new double[] {Math.max(0, start), Math.min(dims - 1, end)};
    }

    private static double correctionDim(int dims, int originalContext, double rotations, double theta) {
        return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }
}
