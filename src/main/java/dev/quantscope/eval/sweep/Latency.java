package dev.quantscope.eval.sweep;

/**
 * Inference speed of one point, measured like {@code quantscope bench MODEL}: a prompt of {@code promptTokens}
 * random tokens in one batch, then {@code generatedTokens} greedy tokens one at a time, after a warm-up run. The
 * speeds are medians of the timed repetitions; the spreads say how much those repetitions varied.
 *
 * @param promptTokensPerSecond     prompt processing (pp) speed
 * @param generationTokensPerSecond text generation (tg) speed
 * @param threads                   engine threads
 * @param promptSpread              quartiles of the repetitions' pp speeds
 * @param generationSpread          quartiles of the repetitions' tg speeds
 */
public record Latency(double promptTokensPerSecond, double generationTokensPerSecond, int promptTokens,
                      int generatedTokens, int threads, RateSpread promptSpread, RateSpread generationSpread) {

    public Latency {
        java.util.Objects.requireNonNull(promptSpread);
        java.util.Objects.requireNonNull(generationSpread);
    }

    /** One run's figures, no spread known. */
    public Latency(double promptTokensPerSecond, double generationTokensPerSecond, int promptTokens,
                   int generatedTokens, int threads) {
        this(promptTokensPerSecond, generationTokensPerSecond, promptTokens, generatedTokens, threads,
                RateSpread.single(promptTokensPerSecond), RateSpread.single(generationTokensPerSecond));
    }

    /** Seconds per generated token: the "smaller is better" axis of a latency trade-off. */
    public double secondsPerToken() { return 1 / generationTokensPerSecond; }
}
