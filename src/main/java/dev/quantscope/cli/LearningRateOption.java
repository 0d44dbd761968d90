package dev.quantscope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --lr X}: the base learning rate of every command that trains (train, distill, bench train, recover); each
 * command supplies its default, which depends on its optimizer.
 */
public final class LearningRateOption {

    @Option(names = "--lr", paramLabel = "X", description = "Base learning rate (default: 0.001 with Adam, 0.05 with SGD).")
    Double learningRate;

    /** The rate given, else {@code fallback}; refused in one sentence when not a positive number. */
    double orElse(double fallback) {
        double lr = learningRate != null ? learningRate : fallback;
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr must be a positive number");
        return lr;
    }
}
