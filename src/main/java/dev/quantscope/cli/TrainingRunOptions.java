package dev.quantscope.cli;

import picocli.CommandLine.Option;

/**
 * The options every command that trains shares — how long ({@code --epochs}), how fast ({@code --lr}), how much per
 * step ({@code --batch}) and the seed that repeats a run — declared once and mixed into {@code train}, {@code distill},
 * {@code bench train} (through {@link TrainingOptions}) and {@code recover}. Each command has its own defaults (a
 * classifier's batch is 64 images, a Llama's 4 windows of text), so the values are read through {@code …Or(default)}.
 */
public final class TrainingRunOptions {

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default: the command's, see above).")
    Integer epochs;

    @Option(names = "--lr", paramLabel = "X", description = "Base (peak) learning rate (default: the command's, see above).")
    Double learningRate;

    @Option(names = "--batch", paramLabel = "B", description = "Examples per optimizer step: images, or windows of text (default: the command's, see above).")
    Integer batch;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of initialisation, data order and dropout; the same seed repeats a run bit for bit (default: the command's, see above).")
    Long seed;

    /** Whether {@code --epochs} was given. */
    boolean hasEpochs() {
        return epochs != null;
    }

    int epochsOr(int fallback) {
        int n = epochs == null ? fallback : epochs;
        if (n < 1) throw new IllegalArgumentException("--epochs must be at least 1");
        return n;
    }

    double learningRateOr(double fallback) {
        double lr = learningRate == null ? fallback : learningRate;
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr must be a positive number");
        return lr;
    }

    int batchOr(int fallback) {
        int b = batch == null ? fallback : batch;
        if (b < 1) throw new IllegalArgumentException("--batch must be at least 1");
        return b;
    }

    long seedOr(long fallback) {
        return seed == null ? fallback : seed;
    }
}
