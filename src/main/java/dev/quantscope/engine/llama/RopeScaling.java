package dev.quantscope.engine.llama;

/**
 * How a model stretches RoPE beyond the context it was trained on, in the terms of ggml's rope (freq_scale,
 * ext_factor, attn_factor, beta_fast, beta_slow). Per-dimension frequency factors (Llama 3) are separate, in
 * {@link LlamaConfig#ropeFreqFactors()}, because llama.cpp applies them on top of any of these.
 */
public sealed interface RopeScaling {

    /** Plain RoPE. */
    record None() implements RopeScaling {}

    /** Positions divided by {@code factor} (ggml's freq_scale = 1 / factor). */
    record Linear(double factor) implements RopeScaling {
        public Linear {
            if (!(factor > 0) || Double.isInfinite(factor)) throw new IllegalArgumentException("linear RoPE factor " + factor);
        }
    }

    /**
     * YaRN: high-frequency pairs keep their trained frequency (extrapolate), low-frequency pairs are divided by
     * {@code factor} (interpolate), with a linear ramp between the pairs that turn {@code betaFast} and
     * {@code betaSlow} times over {@code originalContext} positions; cos and sin are multiplied by
     * {@code magnitude}.
     *
     * @param magnitude the final factor on cos/sin, already resolved from the file's keys: 1 + 0.1 ln(factor)
     *                  for plain YaRN (what ggml applies when ext_factor is 1), times any attention factor the
     *                  model declares
     */
    record Yarn(double factor, int originalContext, double betaFast, double betaSlow, double magnitude)
            implements RopeScaling {
        public Yarn {
            if (!(factor > 0) || Double.isInfinite(factor)) throw new IllegalArgumentException("YaRN factor " + factor);
            if (originalContext <= 0) throw new IllegalArgumentException("YaRN original context " + originalContext);
            if (!(magnitude > 0) || Double.isInfinite(magnitude)) throw new IllegalArgumentException("YaRN magnitude " + magnitude);
            if (!(betaFast > 0) || !(betaSlow > 0)) throw new IllegalArgumentException("YaRN betas " + betaFast + ", " + betaSlow);
        }

        /**
         * YaRN's magnitude scaling as transformers' get_mscale and llama.cpp define it: 1 for factors up to 1,
         * else 0.1 · mscale · ln(factor) + 1.
         */
        public static double mscale(double factor, double mscale) {
            return factor <= 1 ? 1.0 : 0.1 * mscale * Math.log(factor) + 1.0;
        }
    }
}
