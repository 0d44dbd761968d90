package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sweep --sparsities --methods} and {@code sweep --sensitivity} on stories260K. */
class SweepSparsityCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @AfterEach
    void clearCacheProperty() {
        System.clearProperty(SweepCache.DIRECTORY_PROPERTY);
    }

    /** 16 KB of tinyshakespeare: without --calibration-text the first half is measured, the second calibrates. */
    private static Path text(Path dir) throws Exception {
        Path text = dir.resolve("shakespeare-16k.txt");
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        Files.write(text, Arrays.copyOf(all, 16_000));
        return text;
    }

    private static final String MODEL = SharedFiles.file("models/stories260K.gguf").toString();

    @Test
    void sparsitiesAndMethodsBesideATypePrintOneRowEach(@TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        Run r = run("sweep", MODEL, "--types", "Q6_K", "--sparsities", "0.5", "--methods", "magnitude,wanda",
                "--text", text(dir).toString(), "--ctx", "128", "--chunks", "4", "--threads", "2",
                "--calibration-tokens", "512", "--pp", "16", "--tg", "4");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("Wanda and SparseGPT calibrate on the second half of shakespeare-16k.txt"), r.out());
        assertTrue(lines[1].startsWith("scheme"), r.out());
        String[] labels = {"Q6_K ", "magnitude 50% ", "magnitude 50% + Q6_K ", "wanda 50% ", "wanda 50% + Q6_K "};
        for (int i = 0; i < labels.length; i++) {
            assertTrue(lines[2 + i].startsWith(labels[i]) && !lines[2 + i].contains("skipped"), r.out());
        }
        assertTrue(r.out().contains(SweepScheme.Pruned.SPEED_NOTE), r.out());
    }

    @Test
    void jsonNamesEachPointsPruning(@TempDir Path dir) throws Exception {
        Run r = run("sweep", MODEL, "--sparsities", "0,2:4", "--methods", "magnitude", "--text", text(dir).toString(),
                "--ctx", "128", "--chunks", "4", "--threads", "2", "--no-cache", "--pp", "16", "--tg", "4", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        JsonNode points = doc.get("points");
        assertEquals(2, points.size());
        assertTrue(points.get(0).get("pruning").isNull());
        assertTrue(points.get(0).get("kld_mean").asDouble() < 1e-5);
        JsonNode pruning = points.get(1).get("pruning");
        assertEquals("magnitude", pruning.get("method").asText());
        assertEquals("2:4", pruning.get("pattern").asText());
        assertEquals(0.5, pruning.get("sparsity").asDouble());
        assertTrue(pruning.get("then").isNull());
        assertTrue(points.get(1).get("kld_mean").asDouble() > 0.1);
        // Magnitude needs no calibration: the whole text is measured and none is named.
        assertTrue(doc.get("calibration").isNull());
        assertEquals(SweepScheme.Pruned.SPEED_NOTE, doc.get("speed_note").asText());
    }

    @Test
    void sensitivityPrintsEveryBlockAndTheOnesToSpare(@TempDir Path dir) throws Exception {
        Run r = run("sweep", MODEL, "--sensitivity", "50%", "--by", "block", "--text", text(dir).toString(),
                "--ctx", "128", "--chunks", "4", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Sensitivity to magnitude 50%, one block at a time:"), r.out());
        for (int b = 0; b < 5; b++) assertTrue(r.out().contains("\nblk." + b + " "), r.out());
        assertTrue(r.out().contains("Most sensitive (spare these): blk."), r.out());

        Run json = run("sweep", MODEL, "--sensitivity", "2:4", "--text", text(dir).toString(), "--ctx", "128",
                "--chunks", "4", "--threads", "2", "--json");
        assertEquals(0, json.exit(), json.err());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals("tensor", doc.get("unit").asText());
        assertEquals(35, doc.get("points").size());
        assertEquals(5, doc.get("most_sensitive").size());
        for (JsonNode p : doc.get("points")) assertTrue(p.get("kld_mean").asDouble() > 0, p.toString());
    }

    @Test
    void mistakesAreOneLine(@TempDir Path dir) throws Exception {
        Run none = run("sweep", MODEL);
        assertTrue(none.exit() != 0);
        assertTrue(none.err().contains("give --types or --sparsities"), none.err());
        Run badPattern = run("sweep", MODEL, "--sparsities", "half");
        assertTrue(badPattern.err().contains("is not a sparsity"), badPattern.err());
        Run twoMethods = run("sweep", MODEL, "--sensitivity", "0.5", "--methods", "wanda,magnitude");
        assertTrue(twoMethods.err().contains("--sensitivity takes one of --methods"), twoMethods.err());
        for (Run r : new Run[] {none, badPattern, twoMethods}) {
            assertFalse(r.err().contains("Exception"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
