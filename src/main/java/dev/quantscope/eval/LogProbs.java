package dev.quantscope.eval;

/**
 * Log-softmax as llama-perplexity computes it: maximum in float, exponentials in float, their sum in double.
 * Matching its arithmetic keeps our figures comparable to the ones it prints.
 */
final class LogProbs {
    private LogProbs() {}

    static float max(float[] logits) {
        float m = logits[0];
        for (int i = 1; i < logits.length; i++) m = Math.max(m, logits[i]);
        return m;
    }

    static double sumExp(float[] logits, float max) {
        double sum = 0;
        for (float l : logits) sum += (float) Math.exp(l - max);
        return sum;
    }

    /** log p(token). */
    static double logProb(float[] logits, int token) {
        float max = max(logits);
        return (logits[token] - max) - Math.log(sumExp(logits, max));
    }
}
