package dev.quantscope.prune.structured;

import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** llama.cpp's completion tool from ../shared, run on a file the project wrote: the check that llama.cpp takes it. */
final class LlamaCpp {
    private LlamaCpp() {}

    static final String PROMPT = "Once upon a time";

    /**
     * Runs {@code llama completion} greedily for 16 tokens and returns what it printed after the prompt. Skips only
     * when the tool's folder is absent; a refusal fails with llama.cpp's own last lines.
     */
    static String complete(Path model) throws IOException, InterruptedException {
        Path folder = SharedFiles.root().resolve("tools/llama.cpp");
        Assumptions.assumeTrue(Files.isDirectory(folder), "no llama.cpp tools in " + folder);
        Path log = Files.createTempFile("llama-completion", ".log");
        try {
            Process p = new ProcessBuilder(List.of(folder.resolve("llama").toString(), "completion", "-m",
                    model.toString(), "-p", PROMPT, "-n", "16", "-no-cnv", "--temp", "0", "-t", "1", "--no-warmup"))
                    .redirectError(log.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "llama.cpp did not finish within 2 minutes");
            String err = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "llama.cpp refused " + model.getFileName() + ": " + lastLines(err, 12));
            int at = out.indexOf(PROMPT);
            assertTrue(at >= 0, "llama.cpp printed no prompt: " + out + lastLines(err, 12));
            String generated = out.substring(at + PROMPT.length()).strip();
            assertTrue(!generated.isEmpty(), "llama.cpp generated no text: " + lastLines(err, 12));
            return generated;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
    }
}
