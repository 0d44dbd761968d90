package dev.quantscope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --threads N}, mixed into every command that computes: one name, one description, one default (all cores)
 * and one check, so that no command can read the option differently from another.
 */
public final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    /** The threads to use: the option's value, else every core; fewer than one is refused in one sentence. */
    int count() {
        if (threads == null) return Runtime.getRuntime().availableProcessors();
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
        return threads;
    }
}
