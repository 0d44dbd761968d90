package dev.quantscope.cli;

import dev.quantscope.eval.llamacpp.LlamaCppTools;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --vs-llama-cpp PATH}, mixed into the bench commands that can put llama.cpp's figure beside their own: the
 * {@code llama} multi-tool, its folder, or a {@code llama-bench} binary (the others are found beside it).
 */
public final class LlamaCppOption {

    @Option(names = "--vs-llama-cpp", paramLabel = "PATH",
            description = "Also run llama.cpp's tool on the same input and print its figure beside ours: PATH is "
                    + "llama.cpp's 'llama' multi-tool, its folder, or llama-bench.")
    Path path;

    /** The tools, when the option is given; a path that holds none is refused in one sentence. */
    Optional<LlamaCppTools> tools() {
        return path == null ? Optional.empty() : Optional.of(LlamaCppTools.at(path));
    }
}
