package dev.quantscope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --epochs N}: passes over the training data, for every command that trains. Classifier training defaults
 * to {@link #DEFAULT}; {@code recover} counts in steps unless it is given.
 */
public final class EpochsOption {

    static final int DEFAULT = 10;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default: 10 for "
            + "classifiers; recover counts --steps instead).")
    Integer epochs;

    boolean given() { return epochs != null; }

    /** The epochs given, else {@code fallback}; fewer than one is refused in one sentence. */
    int orElse(int fallback) {
        int n = epochs != null ? epochs : fallback;
        if (n < 1) throw new IllegalArgumentException("--epochs must be at least 1");
        return n;
    }
}
