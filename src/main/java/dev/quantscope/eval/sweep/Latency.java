package dev.quantscope.eval.sweep;

/**
 * Inference speed of one point, measured like {@code quantscope bench MODEL}: a prompt of {@code promptTokens}
 * random tokens in one batch, then {@code generatedTokens} greedy tokens one at a time, after a warm-up run.
 *
 * @param promptTokensPerSecond     prompt processing (pp) speed
 * @param generationTokensPerSecond text generation (tg) speed
 * @param threads                   engine threads
 */
public record Latency(double promptTokensPerSecond, double generationTokensPerSecond, int promptTokens,
                      int generatedTokens, int threads) {

    /** Seconds per generated token: the "smaller is better" axis of a latency trade-off. */
    public double secondsPerToken() { return 1 / generationTokensPerSecond; }
}
