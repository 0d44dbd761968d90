package dev.quantscope.engine.llama;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's RoPE tables against a plain double-precision rotation written here from the published formulas
 * (transformers' default, linear, llama3 and YaRN inverse frequencies; llama.cpp's division by rope_freqs), not
 * from {@link RopeRotation}'s code.
 */
class RopeRotationTest {

    private static final int HEAD_DIM = 128, HEADS = 2, CONTEXT = 8192;
    private static final int[] POSITIONS = {0, 1, 7, 100, 1000, 4095, 8191};

    private static LlamaConfig config(double theta, RopeScaling scaling, List<Float> factors, RopeStyle style) {
        return new LlamaConfig("llama", WeightLayout.GGUF, HEAD_DIM * HEADS, 1, HEADS, HEADS, HEAD_DIM, 64, 32,
                CONTEXT, HEAD_DIM, theta, scaling, factors, style, 1e-5f, false);
    }

    /** inv_freq_i = θ^(−2i/d), transformers' default. */
    private static double[] defaultInvFreq(double theta, int dims) {
        double[] f = new double[dims / 2];
        for (int i = 0; i < f.length; i++) f[i] = 1.0 / Math.pow(theta, (2.0 * i) / dims);
        return f;
    }

    /** transformers' _compute_llama3_parameters, transcribed as a formula on inverse frequencies. */
    private static double[] llama3InvFreq(double theta, int dims, double factor, double low, double high, double original) {
        double[] inv = defaultInvFreq(theta, dims);
        double lowWavelen = original / low, highWavelen = original / high;
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            double scaled = wavelen > lowWavelen ? inv[i] / factor : inv[i];
            double smooth = (original / wavelen - low) / (high - low);
            double smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            inv[i] = medium ? smoothed : scaled;
        }
        return inv;
    }

    /** transformers' _compute_yarn_parameters (truncate = true), inverse frequencies only. */
    private static double[] yarnInvFreq(double theta, int dims, double factor, int original, double betaFast, double betaSlow) {
        double low = Math.max(Math.floor(dims * Math.log(original / (betaFast * 2 * Math.PI)) / (2 * Math.log(theta))), 0);
        double high = Math.min(Math.ceil(dims * Math.log(original / (betaSlow * 2 * Math.PI)) / (2 * Math.log(theta))), dims - 1);
        if (low == high) high += 0.001;
        double[] inv = new double[dims / 2];
        for (int i = 0; i < inv.length; i++) {
            double posFreq = Math.pow(theta, (2.0 * i) / dims);
            double extrapolation = 1.0 / posFreq, interpolation = 1.0 / (factor * posFreq);
            double linear = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationFactor = 1 - linear;
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return inv;
    }

    /** Rotates every head of {@code x} in double: pairs (2i, 2i+1) or (i, i + d/2), cos and sin times {@code m}. */
    private static double[] rotate(float[] x, double[] invFreq, double m, RopeStyle style, int pos) {
        double[] out = new double[x.length];
        int half = invFreq.length;
        for (int h = 0; h < HEADS; h++) {
            for (int i = 0; i < half; i++) {
                int a = style == RopeStyle.ADJACENT_PAIRS ? h * HEAD_DIM + 2 * i : h * HEAD_DIM + i;
                int b = style == RopeStyle.ADJACENT_PAIRS ? a + 1 : a + half;
                double angle = pos * invFreq[i];
                double c = Math.cos(angle) * m, s = Math.sin(angle) * m;
                out[a] = x[a] * c - x[b] * s;
                out[b] = x[a] * s + x[b] * c;
            }
        }
        return out;
    }

    private static void assertRotatesLike(LlamaConfig c, double[] invFreq, double magnitude) {
        RopeRotation rope = new RopeRotation(c, CONTEXT);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int pos : POSITIONS) {
            float[] x = new float[HEADS * HEAD_DIM];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            double[] expected = rotate(x, invFreq, magnitude, c.ropeStyle(), pos);
            float[] actual = x.clone();
            rope.rotate(actual, HEADS, pos);
            for (int i = 0; i < x.length; i++) {
                // float tables: cos/sin rounded to 2^-24 relative, products and sums in float
                assertEquals(expected[i], actual[i], 2e-6 * (1 + Math.abs(expected[i])) * 4, c.ropeScaling() + " pos " + pos + " dim " + i);
            }
        }
    }

    @Test
    void plainRopeBothPairings() {
        for (RopeStyle style : RopeStyle.values()) {
            assertRotatesLike(config(10000.0, new RopeScaling.None(), List.of(), style), defaultInvFreq(10000.0, HEAD_DIM), 1.0);
        }
    }

    @Test
    void linearScalingDividesEveryFrequency() {
        double[] inv = defaultInvFreq(10000.0, HEAD_DIM);
        for (int i = 0; i < inv.length; i++) inv[i] /= 4.0;
        assertRotatesLike(config(10000.0, new RopeScaling.Linear(4.0), List.of(), RopeStyle.HALF_SPLIT), inv, 1.0);
    }

    @Test
    void ggufFrequencyFactorsDivideEachPair() {
        SplittableRandom rnd = new SplittableRandom(3);
        Float[] ff = new Float[HEAD_DIM / 2];
        double[] inv = defaultInvFreq(500000.0, HEAD_DIM);
        for (int i = 0; i < ff.length; i++) {
            ff[i] = (float) (1 + 7 * rnd.nextDouble());
            inv[i] /= ff[i];
        }
        assertRotatesLike(config(500000.0, new RopeScaling.None(), List.of(ff), RopeStyle.ADJACENT_PAIRS), inv, 1.0);
    }

    @Test
    void huggingFaceLlama3FactorsMatchTransformersInverseFrequencies() {
        Map<String, Object> rs = Map.of("rope_type", "llama3", "factor", 8.0, "low_freq_factor", 1.0,
                "high_freq_factor", 4.0, "original_max_position_embeddings", 8192L);
        List<Float> factors = LlamaConfig.llama3FreqFactors(rs, 500000.0, HEAD_DIM);
        double[] expected = llama3InvFreq(500000.0, HEAD_DIM, 8.0, 1.0, 4.0, 8192);
        // the three regions are all present with these parameters (as in Llama 3.1)
        assertEquals(1.0f, factors.getFirst());
        assertEquals(8.0f, factors.getLast());
        assertTrue(factors.stream().anyMatch(f -> f > 1.0f && f < 8.0f), "no smoothed pair: " + factors);
        LlamaConfig c = config(500000.0, new RopeScaling.None(), factors, RopeStyle.HALF_SPLIT);
        double[] actual = RopeRotation.pairFrequencies(c);
        // factors are stored as floats, as in rope_freqs.weight
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-7 * expected[i], "pair " + i);
        assertRotatesLike(c, expected, 1.0);
    }

    @Test
    void yarnRampsBetweenExtrapolationAndInterpolationAndScalesMagnitude() {
        double theta = 10000.0, factor = 4.0;
        int original = 4096;
        RopeScaling.Yarn yarn = new RopeScaling.Yarn(factor, original, 32, 1, RopeScaling.Yarn.mscale(factor, 1));
        double[] inv = yarnInvFreq(theta, HEAD_DIM, factor, original, 32, 1);
        double[] plain = defaultInvFreq(theta, HEAD_DIM);
        // the ramp is real here: the first pairs keep their frequency, the last are interpolated, some in between
        assertEquals(plain[0], inv[0], 1e-15);
        assertEquals(plain[plain.length - 1] / factor, inv[inv.length - 1], 1e-15);
        long between = java.util.stream.IntStream.range(0, inv.length)
                .filter(i -> inv[i] < plain[i] * 0.999 && inv[i] > plain[i] / factor * 1.001).count();
        assertTrue(between > 10, between + " ramp pairs");
        for (RopeStyle style : RopeStyle.values()) {
            assertRotatesLike(config(theta, yarn, List.of(), style), inv, 0.1 * Math.log(factor) + 1.0);
        }
    }

    @Test
    void yarnOnTopOfFrequencyFactorsDividesTheExtrapolatedFrequency() {
        double theta = 10000.0, factor = 2.0;
        Float[] ff = new Float[HEAD_DIM / 2];
        for (int i = 0; i < ff.length; i++) ff[i] = 1f + i / 16f;
        RopeScaling.Yarn yarn = new RopeScaling.Yarn(factor, 2048, 32, 1, 1.25);
        double[] inv = yarnInvFreq(theta, HEAD_DIM, factor, 2048, 32, 1);
        for (int i = 0; i < inv.length; i++) inv[i] /= ff[i]; // ggml: theta_extrap / ff, then the same ramp
        assertRotatesLike(config(theta, yarn, List.of(ff), RopeStyle.ADJACENT_PAIRS), inv, 1.25);
    }
}
