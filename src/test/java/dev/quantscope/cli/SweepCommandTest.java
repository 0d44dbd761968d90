package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.eval.sweep.SweepCache;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCommandTest {
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

    private static Path text(Path dir) throws Exception {
        Path text = dir.resolve("shakespeare-8k.txt");
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        Files.write(text, Arrays.copyOf(all, 8_000));
        return text;
    }

    @Test
    void tableFrontsAndRecommendation(@TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        Run r = run("sweep", model, "--types", "Q6_K,Q4_0,Q2_K", "--text", text(dir).toString(), "--ctx", "128",
                "--threads", "2", "--budget", "300KB");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("scheme") && lines[0].contains("KLD mean") && lines[0].contains("top-1"), r.out());
        assertTrue(lines[1].startsWith("Q6_K "), r.out());
        assertTrue(lines[2].startsWith("Q4_0") && lines[2].contains("skipped:"), r.out());
        assertTrue(lines[3].startsWith("Q2_K "), r.out());
        assertTrue(r.out().contains("Pareto front, size vs KLD:    Q2_K → Q6_K"), r.out());
        // Q6_K takes ~356 KiB here (its output and embedding fall back to Q8_0): only Q2_K fits in 300 kB.
        assertTrue(r.out().contains("Recommendation for 293 KiB: Q2_K"), r.out());
        assertTrue(r.out().contains("Q6_K (too large"), r.out());
        assertTrue(Files.list(dir.resolve("cache")).count() == 2, "two measured points cached");
    }

    @Test
    void jsonIsOneDocumentAndSecondRunHitsTheCache(@TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        String[] args = {"sweep", model, "--types", "Q6_K,int8-sym-row-rtn", "--text", text(dir).toString(),
                "--ctx", "128", "--chunks", "4", "--threads", "2", "--budget", "10MB", "--max-kld", "0.01", "--json"};
        Run r = run(args);
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(2, doc.get("computed").asInt(), r.out());
        assertEquals(2, doc.get("points").size());
        for (JsonNode p : doc.get("points")) {
            assertEquals("measured", p.get("status").asText());
            assertEquals(4 * 63, p.get("tokens").asLong());
            assertTrue(p.get("kld_mean").asDouble() < 0.01, p.toString());
            assertTrue(p.get("tg_tokens_per_s").asDouble() > 0);
        }
        assertTrue(doc.get("recommendation").get("scheme").isTextual());
        Run again = run(args);
        JsonNode doc2 = new ObjectMapper().readTree(again.out());
        assertEquals(0, doc2.get("computed").asInt());
        assertEquals(2, doc2.get("cache_hits").asInt());
        assertEquals(doc.get("points").get(0).get("kld_mean").asDouble(), doc2.get("points").get(0).get("kld_mean").asDouble());
    }

    /** {@code --imatrix FILE}: each type twice, the JSON saying which point used the matrix; a bad file is one line. */
    @Test
    void imatrixAddsAPointPerTypeAndTheJsonSaysWhichUsedIt(@TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        Path calibration = dir.resolve("calibration.txt");
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        Files.write(calibration, Arrays.copyOfRange(all, 100_000, 130_000));
        Path imatrix = dir.resolve("stories.imatrix.gguf");
        Run im = run("imatrix", model, "--text", calibration.toString(), "-o", imatrix.toString(), "--ctx", "128",
                "--threads", "2");
        assertEquals(0, im.exit(), im.err());
        Run r = run("sweep", model, "--types", "Q4_K_M,Q2_K", "--text", text(dir).toString(), "--ctx", "128",
                "--threads", "2", "--imatrix", imatrix.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(imatrix.toString(), doc.get("imatrix").get("file").asText());
        assertEquals(64, doc.get("imatrix").get("sha256").asText().length());
        JsonNode points = doc.get("points");
        assertEquals(4, points.size(), r.out());
        String[] schemes = {"Q4_K_M", "Q4_K_M+imatrix", "Q2_K", "Q2_K+imatrix"};
        for (int i = 0; i < 4; i++) {
            assertEquals(schemes[i], points.get(i).get("scheme").asText());
            assertEquals(i % 2 == 1, points.get(i).get("imatrix").asBoolean(), points.get(i).toString());
            assertEquals("measured", points.get(i).get("status").asText());
        }
        // The same quantization with the matrix changes the figures (whether up or down on 8 KB is not the point).
        assertTrue(points.get(0).get("kld_mean").asDouble() != points.get(1).get("kld_mean").asDouble(), r.out());

        Run plain = run("sweep", model, "--types", "Q2_K", "--text", text(dir).toString(), "--ctx", "128",
                "--threads", "2", "--json");
        JsonNode p = new ObjectMapper().readTree(plain.out());
        assertTrue(p.get("imatrix").isNull());
        assertEquals(1, p.get("cache_hits").asInt(), "the plain point is the one cached, never the imatrix one");
        assertEquals(points.get(2).get("kld_mean").asDouble(), p.get("points").get(0).get("kld_mean").asDouble());
        assertTrue(!p.get("points").get(0).get("imatrix").asBoolean());

        Files.writeString(dir.resolve("bad.gguf"), "not an imatrix");
        Run bad = run("sweep", model, "--types", "Q2_K", "--text", text(dir).toString(), "--imatrix",
                dir.resolve("bad.gguf").toString(), "--no-cache");
        assertTrue(bad.exit() != 0);
        assertTrue(bad.err().contains("cannot read importance matrix") && bad.err().strip().lines().count() == 1, bad.err());
    }

    @Test
    void unknownTypeIsOneLine(@TempDir Path dir) throws Exception {
        Run r = run("sweep", SharedFiles.file("models/stories260K.gguf").toString(), "--types", "Q4_K_M,Q9_Z",
                "--text", text(dir).toString(), "--no-cache");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'Q9_Z' is neither a llama-quantize preset"), r.err());
    }
}
