package dev.quantscope.cli;

import picocli.CommandLine.Option;

/** {@code --chunks N}: how many of the text's {@code --ctx} windows a command takes at most; 0 takes all. */
public final class ChunksOption {

    @Option(names = "--chunks", paramLabel = "N", defaultValue = "0",
            description = "At most N windows (chunks) of --ctx tokens (default: all).")
    int chunks;
}
