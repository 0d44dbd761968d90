package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalGenerateCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** The first {@code bytes} bytes of ../shared's tinyshakespeare, as a text file in {@code dir}. */
    private static Path shakespearePrefix(Path dir, int bytes) throws Exception {
        Path text = dir.resolve("shakespeare-" + bytes + ".txt");
        Files.write(text, Arrays.copyOf(Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt")), bytes));
        return text;
    }

    @Test
    void evalJsonReproducesLlamaPerplexity(@TempDir Path dir) throws Exception {
        Path text = shakespearePrefix(dir, 40_000);
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        Run r = run("eval", model, "--text", text.toString(), "--ctx", "256", "--json", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(98.6170, doc.get("ppl").asDouble(), 98.6170 * 0.001);
        assertEquals(96 * 127, doc.get("tokens").asLong());
        assertTrue(doc.get("kld_mean").isNull());
    }

    @Test
    void evalAgainstABaseReportsDivergence(@TempDir Path dir) throws Exception {
        Path text = shakespearePrefix(dir, 8_000);
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        Run r = run("eval", model, "--text", text.toString(), "--ctx", "128", "--base", model, "--json", "--threads", "1");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"ppl", "kld_mean", "kld_median", "kld_p99", "kld_max", "same_top_p", "tokens"}) {
            assertTrue(doc.get(key).isNumber(), key + " in " + r.out());
        }
        assertTrue(doc.get("kld_max").asDouble() < 1e-3, "a model against itself: " + r.out());
        assertTrue(doc.get("same_top_p").asDouble() > 0.99 && doc.get("same_top_p").asDouble() <= 1.0);
    }

    @Test
    void evalTakesTheKvCacheType(@TempDir Path dir) throws Exception {
        Path text = shakespearePrefix(dir, 8_000);
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        Run f32 = run("eval", model, "--text", text.toString(), "--ctx", "128", "--json", "--threads", "1");
        Run f16 = run("eval", model, "--text", text.toString(), "--ctx", "128", "--json", "--threads", "1", "--kv-cache", "f16");
        assertEquals(0, f32.exit(), f32.err());
        assertEquals(0, f16.exit(), f16.err());
        double exact = new ObjectMapper().readTree(f32.out()).get("ppl").asDouble();
        double rounded = new ObjectMapper().readTree(f16.out()).get("ppl").asDouble();
        assertTrue(exact != rounded && Math.abs(exact - rounded) < exact * 0.002, exact + " vs " + rounded);

        Run bad = run("eval", model, "--text", text.toString(), "--ctx", "128", "--kv-cache", "q4_0");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("q4_0"), bad.err());
    }

    @Test
    void generateContinuesTheStory() {
        Run r = run("generate", SharedFiles.file("models/stories260K.gguf").toString(),
                "--prompt", "Once upon a time", "-n", "40", "--threads", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Once upon a time"), r.out());
        assertTrue(r.out().contains(" was ") && r.out().contains(" she ") || r.out().contains(" he "), r.out());
    }

    @Test
    void evalRefusesATextShorterThanTwoWindows(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("short.txt");
        Files.writeString(text, "Once upon a time there was a cat.");
        Run r = run("eval", SharedFiles.file("models/stories260K.gguf").toString(), "--text", text.toString(), "--ctx", "64");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("need at least 128"), r.err());
    }
}
