package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.quantscope.cli.QuantizeCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench commands against llama.cpp's real tools (../shared/tools/llama.cpp), on the small models: the figures'
 * structure (both engines' present, every ratio ours / theirs, the rounds alternating), never their size. Skipped
 * when the tools' folder is absent.
 */
class BenchVsLlamaCppTest {
    static Path tools;

    @BeforeAll
    static void findTools() {
        tools = SharedFiles.root().resolve("tools/llama.cpp");
        Assumptions.assumeTrue(Files.isDirectory(tools), "no llama.cpp tools in " + tools);
    }

    private static String stories() {
        return SharedFiles.file("models/stories260K.gguf").toString();
    }

    @Test
    void bothEnginesEachRoundAlternatingWithRatiosOfTheirFigures() throws Exception {
        var r = run("bench", stories(), "--vs-llama-cpp", tools.toString(), "--pp", "16", "--tg", "4",
                "--threads", "1", "-r", "1", "--rounds", "2", "--llama-poll", "0", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("f16", doc.get("kv_cache").asText());
        assertEquals(2, doc.get("rounds").size());
        assertEquals("llama.cpp", doc.get("rounds").get(0).get("first").asText());
        assertEquals("quantscope", doc.get("rounds").get(1).get("first").asText());
        double[][] ratios = new double[2][2];
        for (int i = 0; i < 2; i++) {
            JsonNode round = doc.get("rounds").get(i);
            int p = 0;
            for (String phase : new String[] {"pp", "tg"}) {
                double ours = round.get("quantscope").get(phase).asDouble(), theirs = round.get("llama_cpp").get(phase).asDouble();
                assertTrue(ours > 0 && theirs > 0, r.out());
                double ratio = round.get("ratio").get(phase).asDouble();
                // the rates are printed to 2 decimals, the ratio to 4: it is ours / theirs to that precision
                assertEquals(ours / theirs, ratio, 1e-3 * ratio + 1e-4, phase + " " + r.out());
                ratios[p++][i] = ratio;
            }
            assertTrue(round.get("quantscope").get("peak_rss_mb").asDouble() > 0, r.out());
        }
        JsonNode median = doc.get("median").get("ratio");
        assertEquals((ratios[0][0] + ratios[0][1]) / 2, median.get("pp").asDouble(), 1e-3);
        assertEquals((ratios[1][0] + ratios[1][1]) / 2, median.get("tg").asDouble(), 1e-3);
        assertTrue(doc.get("llama_cpp_command").asText().contains(" bench -m " + stories() + " -p 16 -n 4 -t 1 -r 1 -ctk f16 -ctv f16 --poll 0 -o json"),
                doc.get("llama_cpp_command").asText());
        assertTrue(doc.get("quantscope_command").asText().startsWith("quantscope bench " + stories()));
    }

    @Test
    void textAndMarkdownShowBothFiguresTheRatioAndTheCommand() {
        var text = run("bench", stories(), "--vs-llama-cpp", tools.toString(), "--pp", "8", "--tg", "2",
                "--threads", "1", "-r", "1", "--rounds", "1");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("phase   round     QuantScope    llama.cpp    ratio"), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.matches("pp8 +1 +\\d+\\.\\d\\d +\\d+\\.\\d\\d +\\d+\\.\\d{3}")), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.matches("tg2 +median +\\d+\\.\\d\\d +\\d+\\.\\d\\d +\\d+\\.\\d{3}")), text.out());
        assertTrue(text.out().contains("llama.cpp:  "), text.out());

        var md = run("bench", stories(), "--vs-llama-cpp", tools.resolve("llama").toString(), "--pp", "8", "--tg", "2",
                "--threads", "1", "-r", "1", "--rounds", "1", "--markdown");
        assertEquals(0, md.exit(), md.err());
        String[] lines = md.out().split("\n");
        assertEquals("| weights | size | QuantScope pp8 | QuantScope tg2 | llama.cpp pp8 | llama.cpp tg2 | pp8 ratio | tg2 ratio |",
                lines[0]);
        assertTrue(lines[2].matches("\\| stories260K\\.gguf \\| 1\\.13 MiB( \\| [\\d.]+){4}( \\| \\d+\\.\\d\\d){2} \\|"), lines[2]);
        assertTrue(md.out().contains("    quantscope bench " + stories() + " --vs-llama-cpp "), md.out());
    }

    @Test
    void badInputIsOneLineNamingTheFileAndANonZeroExit(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "junk");
        Path noTools = dir.resolve("no-llama");
        record Case(String[] args, String named) {}
        for (Case c : new Case[] {
                new Case(new String[] {"bench", stories(), "--vs-llama-cpp", noTools.toString()}, noTools.toString()),
                new Case(new String[] {"bench", junk.toString(), "--vs-llama-cpp", tools.toString(), "--rounds", "1"},
                        junk.toString()),
                new Case(new String[] {"bench", dir.resolve("missing.gguf").toString(), "--vs-llama-cpp", tools.toString()},
                        "missing.gguf"),
                new Case(new String[] {"bench", "quantize", junk.toString(), "--type", "Q8_0", "--vs-llama-cpp",
                        noTools.toString()}, noTools.toString())}) {
            var r = run(c.args());
            assertNotEquals(0, r.exit(), r.out());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("quantscope: ") && r.err().contains(c.named()), r.err());
            assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
        }
        var f32 = run("bench", stories(), "--vs-llama-cpp", tools.toString(), "--kv-cache", "f32");
        assertNotEquals(0, f32.exit());
        assertTrue(f32.err().contains("F16"), f32.err());
    }

    @Test
    void benchQuantizePutsLlamaQuantizeBesideItAndLeavesNoFile(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("dev.gguf");
        Files.copy(SharedFiles.file("models/synth-llama-dev-f16.gguf"), model);
        var r = run("bench", "quantize", model.toString(), "--type", "Q4_0", "--threads", "2", "--vs-llama-cpp",
                tools.toString());
        assertEquals(0, r.exit(), r.err());
        // both wrote the same preset: the same size
        String size = r.out().replaceAll("(?s).*output (\\d+) bytes\\n.*llama-quantize.*", "$1");
        assertTrue(r.out().matches("(?s).*llama.cpp's llama-quantize, same preset and threads: \\d+\\.\\d\\d s "
                + "\\(the whole command\\), [\\d.]+ MB/s of source tensors, output " + size + " bytes\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*time ratio QuantScope / llama-quantize: \\d+\\.\\d\\d .*"), r.out());
        assertTrue(r.out().matches("(?s).*peak RSS: QuantScope \\d+\\.\\d MiB \\(this JVM\\), llama-quantize \\d+\\.\\d MiB.*"), r.out());
        assertTrue(r.out().contains(" quantize " + model + " "), r.out());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "both outputs are deleted");
        }
    }

    @Test
    void benchStatsSaysLlamaCppHasNoStatisticsTool() {
        var r = run("bench", "stats", SharedFiles.file("models/stories260K.gguf").toString(), "--threads", "1",
                "--rounds", "1", "--vs-llama-cpp", tools.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("llama.cpp has no statistics tool"), r.out());
        assertTrue(r.out().matches("(?s).*peak RSS \\d+\\.\\d MiB \\(this JVM\\).*"), r.out());
    }
}
