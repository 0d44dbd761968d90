package dev.quantscope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --ctx N}: the context size of a command that runs a model over a text in windows, as llama.cpp's n_ctx
 * (eval and sweep score windows of this size, imatrix collects over chunks of this size: the same cut of the text).
 */
public final class ContextOption {

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "512",
            description = "Context size in tokens: the text is taken in windows (chunks) of this length "
                    + "(default: ${DEFAULT-VALUE}).")
    int ctx;
}
