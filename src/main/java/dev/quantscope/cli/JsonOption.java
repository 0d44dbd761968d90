package dev.quantscope.cli;

import picocli.CommandLine.Option;

/**
 * {@code --json}, mixed into every command with a machine-readable result. The document itself is written by
 * {@link CliJson}, the one place that decides how a figure that is not a number comes out (as null).
 */
public final class JsonOption {

    @Option(names = "--json", description = "Print one JSON document instead of text (a figure that is not a number "
            + "is null).")
    boolean json;
}
