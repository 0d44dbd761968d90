package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.LlamaCpp;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.quantscope.cli.QuantizeCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code quantscope prune} on the real stories260K: what it writes, what it reports, and what it refuses. */
class PruneCommandTest {

    @TempDir
    Path dir;

    private static Path stories() { return SharedFiles.file("models/stories260K.gguf"); }

    @Test
    void twoFourKeepsExactlyTwoOfEveryFourAndLeavesTheRestAlone() throws Exception {
        Path out = dir.resolve("p.gguf");
        QuantizeCommandTest.Run r = run("prune", stories().toString(), out.toString(), "--pattern", "2:4");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("50.00 % zero after pruning"), r.out());
        int pruned = 0;
        try (Model source = ModelOpener.open(stories()); Model written = ModelOpener.open(out)) {
            for (TensorInfo t : source.tensors()) {
                TensorInfo w = written.tensor(t.name()).orElseThrow();
                float[] before = Decoders.decodeAll(t), after = Decoders.decodeAll(w);
                if (!Plans.prunable(t)) {
                    assertArrayEquals(before, after, t.name() + " is not prunable and must stay as it is");
                    continue;
                }
                pruned++;
                for (int g = 0; g < after.length; g += 4) {
                    int nonZero = 0;
                    for (int i = g; i < g + 4; i++) {
                        if (after[i] != 0) {
                            nonZero++;
                            assertEquals(before[i], after[i], t.name() + ": a kept weight is the source's");
                        }
                    }
                    assertEquals(2, nonZero, t.name() + " group at " + g);
                }
            }
        }
        assertEquals(35, pruned, "the seven matrices of five blocks");
        // GGUF has no sparse layout: llama.cpp reads a pruned file as any other, and generates from it
        assertFalse(LlamaCpp.complete(out).isBlank());
    }

    @Test
    void oneGlobalThresholdReachesTheOverallSparsityWithinOneWeight() throws Exception {
        Path out = dir.resolve("g.gguf");
        QuantizeCommandTest.Run r = run("prune", stories().toString(), out.toString(), "--sparsity", "0.3", "--global",
                "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        long all = doc.get("total").get("parameters").asLong(), zeros = doc.get("total").get("zeros").asLong();
        assertTrue(Math.abs(zeros - Math.round(0.3 * all)) <= 1, zeros + " of " + all);
        double min = 1, max = 0;
        for (JsonNode t : doc.get("tensors")) {
            min = Math.min(min, t.get("sparsity").asDouble());
            max = Math.max(max, t.get("sparsity").asDouble());
            assertTrue(t.get("sparseBytes").get("csr").asLong() > 0);
        }
        assertTrue(max - min > 0.05, "one threshold leaves the tensors at different sparsities: " + min + ".." + max);
        // the file holds what the report says
        long counted = 0;
        try (Model written = ModelOpener.open(out)) {
            for (TensorInfo t : written.tensors()) {
                if (!Plans.prunable(t)) continue;
                for (float f : Decoders.decodeAll(t)) if (f == 0) counted++;
            }
        }
        assertEquals(zeros, counted);
    }

    @Test
    void calibratedMethodsRunFromATextAndSayWhatTheyNeedWithoutOne() throws Exception {
        Path text = dir.resolve("cal.txt");
        Files.writeString(text, Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt")).substring(0, 20_000));
        for (String method : new String[] {"wanda", "sparsegpt"}) {
            Path out = dir.resolve(method + ".gguf");
            QuantizeCommandTest.Run r = run("prune", stories().toString(), out.toString(), "--sparsity", "50%",
                    "--method", method, "--text", text.toString(), "--calibration-tokens", "1024", "--ctx", "128");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("50.00 % zero after pruning"), r.out());
            QuantizeCommandTest.Run none = run("prune", stories().toString(), dir.resolve("x.gguf").toString(),
                    "--sparsity", "50%", "--method", method);
            assertEquals(1, none.exit());
            assertTrue(none.err().contains("--text FILE"), none.err());
            assertEquals(1, none.err().strip().lines().count(), none.err());
        }
    }

    @Test
    void structuredPruningMakesTheFileSmaller() throws Exception {
        Path out = dir.resolve("ffn.gguf");
        QuantizeCommandTest.Run r = run("prune", stories().toString(), out.toString(), "--ffn", "0.5", "--align", "32");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("feed_forward_length = 96"), r.out());
        assertTrue(Files.size(out) < Files.size(stories()));
        try (Model m = ModelOpener.open(out)) {
            assertArrayEquals(new long[] {64, 96}, m.tensor("blk.0.ffn_up.weight").orElseThrow().shape().dims());
        }
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() {
        String in = stories().toString(), out = dir.resolve("o.gguf").toString();
        String[][] cases = {
                {"--sparsity", "1.2"},
                {"--sparsity", "-0.1"},
                {"--pattern", "4:4"},
                {"--pattern", "3:7"},
                {"--pattern", "50%"},
                {"--sparsity", "0.5", "--pattern", "2:4"},
                {"--ffn", "1.0"},
                {"--ffn", "0.5", "--sparsity", "0.5"},
                {"--drop-blocks", "5", "--text", in},
                {"--sparsity", "0.5", "--method", "obs"},
                {"--pattern", "2:4", "--global"},
                {},
        };
        for (String[] c : cases) {
            String[] args = new String[3 + c.length];
            args[0] = "prune";
            args[1] = in;
            args[2] = out;
            System.arraycopy(c, 0, args, 3, c.length);
            QuantizeCommandTest.Run r = run(args);
            String what = Arrays.toString(c);
            assertNotEquals(0, r.exit(), what);
            assertEquals(1, r.err().strip().lines().count(), what + ": " + r.err());
            assertFalse(r.err().contains("Exception"), what + ": " + r.err());
            assertFalse(Files.exists(dir.resolve("o.gguf")), what + " must write nothing");
        }
        assertTrue(run("prune", in, out, "--pattern", "3:7").err().contains("groups of 7"));
    }
}
