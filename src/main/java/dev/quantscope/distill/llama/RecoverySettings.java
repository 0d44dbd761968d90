package dev.quantscope.distill.llama;

/**
 * How a recovery distillation trains.
 *
 * @param steps        optimizer steps (each over {@code batch} windows)
 * @param windowTokens tokens per training window (BOS first, as the evaluation cuts a text)
 * @param batch        windows whose gradients are averaged into one step
 * @param learningRate Adam's peak rate; a cosine schedule takes it down to a tenth, after a warm-up of a tenth of
 *                     the steps (at most 20)
 * @param temperature  T of the distillation loss T²·KL(softmax(teacher/T) ‖ softmax(student/T))
 * @param ceWeight     weight of the cross-entropy on the next token added to it (0: logits only)
 * @param seed         fixes the order windows are visited in: the same seed repeats a run bit for bit
 */
public record RecoverySettings(int steps, int windowTokens, int batch, double learningRate, double temperature,
                               double ceWeight, long seed) {

    /** Gradients are clipped to this global L2 norm, as LLM training usually does, so a bad window cannot derail a run. */
    public static final double CLIP_NORM = 1.0;

    public RecoverySettings {
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        if (windowTokens < 4) throw new IllegalArgumentException("a training window needs at least 4 tokens, got " + windowTokens);
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1 window, got " + batch);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw new IllegalArgumentException("learning rate " + learningRate + " is not positive");
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature " + temperature + " is not positive");
        if (!(ceWeight >= 0) || Double.isInfinite(ceWeight)) throw new IllegalArgumentException("cross-entropy weight " + ceWeight + " is negative");
    }

    /** Defaults: T = 1, logits only, 4 windows a step, learning rate 1e-3, seed 42. */
    public static RecoverySettings of(int steps, int windowTokens) {
        return new RecoverySettings(steps, windowTokens, 4, 1e-3, 1.0, 0.0, 42);
    }

    public RecoverySettings withLearningRate(double lr) {
        return new RecoverySettings(steps, windowTokens, batch, lr, temperature, ceWeight, seed);
    }

    public RecoverySettings withTemperature(double t) {
        return new RecoverySettings(steps, windowTokens, batch, learningRate, t, ceWeight, seed);
    }

    public RecoverySettings withCeWeight(double w) {
        return new RecoverySettings(steps, windowTokens, batch, learningRate, temperature, w, seed);
    }

    public RecoverySettings withBatch(int b) {
        return new RecoverySettings(steps, windowTokens, b, learningRate, temperature, ceWeight, seed);
    }

    public long warmupSteps() {
        return Math.min(20, steps / 10);
    }
}
