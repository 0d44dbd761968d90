package dev.quantscope.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** llama.cpp's completion tool from ../shared, run on a file the project wrote: the check that llama.cpp takes it. */
public final class LlamaCpp {
    private LlamaCpp() {}

    public static final String PROMPT = "Once upon a time";
    /**
     * llama-completion prints the generated text and its closing report from its logger's own thread, and its main
     * thread may exit before that thread has written everything (seen with strace: exit_group(0) while the logger was
     * still writing; on a loaded machine in 2 to 5 runs of 10, on the unpruned stories260K too). A run is taken when it
     * exits with 0 and some text follows the prompt, whole or cut short; one that printed none is repeated.
     */
    private static final int ATTEMPTS = 8;

    /**
     * Runs {@code llama completion} greedily for 16 tokens and returns what it printed after the prompt (perhaps cut
     * short, see {@link #ATTEMPTS}). Skips only
     * when the tool's folder is absent; a refusal fails with llama.cpp's own last lines.
     */
    public static String complete(Path model) throws IOException, InterruptedException {
        Path folder = SharedFiles.root().resolve("tools/llama.cpp");
        Assumptions.assumeTrue(Files.isDirectory(folder), "no llama.cpp tools in " + folder);
        String lastLog = "";
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Run run = run(folder, model);
            assertEquals(0, run.status(), "llama.cpp refused " + model.getFileName() + ": " + lastLines(run.log(), 12));
            int at = run.printed().indexOf(PROMPT);
            String generated = at < 0 ? "" : run.printed().substring(at + PROMPT.length()).strip();
            if (!generated.isEmpty()) return generated;
            lastLog = run.log();
        }
        return fail("llama.cpp generated no text in " + ATTEMPTS + " runs: " + lastLines(lastLog, 12));
    }

    private record Run(int status, String printed, String log) {}

    private static Run run(Path folder, Path model) throws IOException, InterruptedException {
        Path log = Files.createTempFile("llama-completion", ".log");
        Path printed = Files.createTempFile("llama-completion", ".out");
        try {
            Process p = new ProcessBuilder(List.of(folder.resolve("llama").toString(), "completion", "-m",
                    model.toString(), "-p", PROMPT, "-n", "16", "-no-cnv", "--temp", "0", "-t", "1", "--no-warmup"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(printed.toFile()).redirectError(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("llama.cpp did not finish within 2 minutes");
            }
            return new Run(p.exitValue(), Files.readString(printed, StandardCharsets.UTF_8),
                    Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(printed);
        }
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.strip().split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
    }
}
