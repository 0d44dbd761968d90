package dev.quantscope.eval.llamacpp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * llama.cpp's {@code llama-quantize} of one file with one preset and thread count, timed: the figure to read
 * {@code quantscope bench quantize} against. The output goes to a temporary file beside the input (the same disk
 * as ours writes to), deleted afterwards.
 */
public final class LlamaQuantize {
    private LlamaQuantize() {}

    /**
     * @param seconds    wall time of the whole run (start, read, quantize, write, exit)
     * @param peakRssMb  its peak resident set (see {@link ToolRun}), NaN where unknown
     * @param fileBytes  the size of what it wrote
     * @param command    the command line, as run (with the temporary output's name)
     */
    public record Result(double seconds, double peakRssMb, long fileBytes, List<String> command) {}

    public static Result run(LlamaCppTools tools, Path input, String preset, int threads, BooleanSupplier cancelled)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(input)) throw new NoSuchFileException(input.toString());
        Path dir = input.toAbsolutePath().getParent();
        Path out = Files.createTempFile(dir, ".llama-quantize.", ".gguf");
        try {
            List<String> c = new ArrayList<>(tools.command("quantize"));
            c.addAll(List.of(input.toString(), out.toString(), preset, Integer.toString(threads)));
            ToolRun run = ToolRun.run(c, cancelled);
            if (run.status() != 0) {
                throw run.failure("llama.cpp's llama-quantize", input);
            }
            return new Result(run.seconds(), run.peakRssMb(), Files.size(out), run.command());
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
