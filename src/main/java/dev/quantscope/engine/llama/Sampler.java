package dev.quantscope.engine.llama;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (temperature 0) or temperature + nucleus (top-p) sampling with a
 * seeded generator, so a seed reproduces a run. Buffers are sized once for the vocabulary.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final SplittableRandom random;
    private final float[] probs;
    private final long[] order;

    /**
     * @param temperature 0 for greedy decoding
     * @param topP        keep the smallest set of tokens whose probability reaches this (1 = all)
     */
    public Sampler(int vocab, float temperature, float topP, long seed) {
        if (temperature < 0) throw new IllegalArgumentException("temperature must not be negative");
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1]");
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
        this.probs = new float[vocab];
        this.order = new long[vocab];
    }

    public static Sampler greedy(int vocab) { return new Sampler(vocab, 0, 1, 0); }

    /** The index of the largest logit (the first one on ties). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    public int sample(float[] logits) {
        if (temperature == 0) return argmax(logits);
        int n = logits.length;
        float max = logits[argmax(logits)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = (float) Math.exp((logits[i] - max) / temperature);
            sum += probs[i];
        }
        for (int i = 0; i < n; i++) {
            probs[i] /= (float) sum;
            // Probabilities are non-negative, so their float bits sort like the values: pack bits and index and
            // sort primitives (descending probability via the complement).
            order[i] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(probs[i])) << 32) | i;
        }
        Arrays.sort(order, 0, n);
        double kept = 0;
        int keep = 0;
        while (keep < n) {
            kept += probs[(int) order[keep]];
            keep++;
            if (kept >= topP) break;
        }
        double r = random.nextDouble() * kept;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            int tok = (int) order[i];
            acc += probs[tok];
            if (r < acc) return tok;
        }
        return (int) order[keep - 1];
    }
}
