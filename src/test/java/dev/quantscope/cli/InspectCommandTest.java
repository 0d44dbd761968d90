package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class InspectCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void jsonDocumentForStories260K() throws Exception {
        Run r = run("inspect", SharedFiles.file("models/stories260K.gguf").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("GGUF", doc.get("format").asText());
        assertEquals("llama", doc.get("architecture").asText());
        assertEquals(292_800, doc.get("parameters").asLong());
        assertEquals(1_171_200, doc.get("bytes").asLong());
        assertEquals(512, doc.get("metadata").get("tokenizer.ggml.tokens").size());
        JsonNode first = doc.get("tensors").get(0);
        assertEquals("token_embd.weight", first.get("name").asText());
        assertEquals("[64,512]", first.get("shape").toString());
        assertEquals("F32", first.get("dtype").asText());
        assertEquals(32768, first.get("parameters").asLong());
        assertEquals(131072, first.get("bytes").asLong());
        assertNull(first.get("stats"), "stats only with --stats");
    }

    @Test
    void tableListsEveryTensorAndTheSummary() {
        Run r = run("inspect", SharedFiles.file("models/stories260K.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("blk.4.ffn_up.weight"));
        assertTrue(r.out().matches("(?s).*parameters\\s+292800 \\(292.8K\\).*"), r.out());
    }

    @Test
    void statsAddAZerosColumnThatReadsZeroForADenseModel() {
        Run r = run("inspect", SharedFiles.file("models/stories260K.gguf").toString(), "--stats");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.getFirst().matches("name\\s+shape\\s+dtype\\s+parameters\\s+bytes\\s+zeros"), lines.getFirst());
        List<String> rows = lines.stream().filter(l -> l.matches("(token_embd|output|blk)\\S*\\s+\\[.*")).toList();
        assertEquals(48, rows.size());
        for (String row : rows) assertTrue(row.matches(".*\\d+\\s+0"), "no zeros: " + row);
        assertTrue(r.out().contains("\nzeros         0 (0 of 292800 values)\n"), r.out());
        assertFalse(r.out().contains("  zeros 0"), "the fraction is a column, not repeated in the statistics line");
    }

    @Test
    void aTwoFourSparseCheckpointIsHalfZeros() throws Exception {
        Path folder = Path.of(InspectCommandTest.class.getResource("/dev/quantscope/format/safetensors/sparse/24").toURI());
        Run table = run("inspect", folder.toString(), "--stats");
        assertEquals(0, table.exit(), table.err());
        assertTrue(table.out().matches("(?s).*\\nmodel\\.layers\\.0\\.self_attn\\.q_proj\\.weight +\\[8, 12] +F32 +96 +384 +0\\.5000\\n.*"),
                table.out());
        assertTrue(table.out().matches("(?s).*\\nmodel\\.norm\\.weight +\\[12] +F32 +12 +48 +0\\n.*"), table.out());
        assertTrue(table.out().contains("\nzeros         0.3051 (108 of 354 values)\n"), table.out());
        assertTrue(table.out().matches("(?s).*\\n  sparse\\.format +sparse-24-bitmask\\n.*"), table.out());

        Run json = run("inspect", folder.toString(), "--stats", "--json");
        assertEquals(0, json.exit(), json.err());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals(108, doc.get("zeros").get("zeros").asLong());
        assertEquals(354, doc.get("zeros").get("values").asLong());
        assertEquals("sparse-24-bitmask", doc.get("metadata").get("sparse.format").asText());
        for (JsonNode t : doc.get("tensors")) {
            boolean pruned = t.get("name").asText().endsWith("proj.weight");
            assertEquals(pruned ? 0.5 : 0, t.get("stats").get("zeroFraction").asDouble(), 0, t.get("name").asText());
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 1", "0.5, 0.5000", "0.30508, 0.3051", "0.00004, <0.0001", "0.99996, >0.9999"})
    void zeroFractionsNeverRoundToNoneOrAll(double fraction, String shown) {
        assertEquals(shown, InspectCommand.zeroFraction(fraction));
    }

    @Test
    void aSparseCheckpointWithoutItsShapeIsOneLine(@TempDir Path dir) throws Exception {
        String header = "{\"q.compressed\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"q.bitmask\":{\"dtype\":\"U8\",\"shape\":[1,1],\"data_offsets\":[4,5]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 5).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).putFloat(1.5f).put((byte) 1);
        Path file = Files.write(dir.resolve("model.safetensors"), b.array());
        Run r = run("inspect", file.toString(), "--stats");
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertTrue(err.matches("quantscope: " + Pattern.quote(file.toString())
                + ": tensor 'q\\.compressed' at byte \\d+: has no 'q\\.shape' beside it: the dense tensor's shape is"
                + " unknown"), err);
    }

    @Test
    void badFileExitsNonZeroWithOneLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.gguf");
        Files.write(bad, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        Run r = run("inspect", bad.toString());
        assertNotEquals(0, r.exit());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(bad.toString()) && err.contains("tensor_count"), err);
    }

    @Test
    void missingFileIsAnError() {
        Run r = run("inspect", "/no/such/model.gguf");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("/no/such/model.gguf"), r.err());
    }

    @ParameterizedTest
    @CsvSource({"x.gguf, a GGUF file", "x.safetensors, a safetensors file", "x.pt, a PyTorch checkpoint",
            "x.onnx, an ONNX model"})
    void aTextFileNamedAsAModelIsOneSentence(String name, String kind, @TempDir Path dir) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "hello, this is text and no model\n");
        Run r = run("inspect", file.toString());
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("quantscope: " + file + ": not " + kind + " (it starts with \"hell"), err);
    }

    @Test
    void aMistypedSubcommandGetsTheClosestOne() {
        Run r = run("inpsect", "x.gguf");
        assertEquals(2, r.exit());
        assertEquals("quantscope: unknown subcommand 'inpsect', did you mean 'inspect'?\n"
                + "Try 'quantscope --help' for more information.", r.err().strip());
    }

    @Test
    void aBadOptionValueIsOneLineAndAHint() {
        Run r = run("bench", "x.gguf", "--pp", "abc");
        assertEquals(2, r.exit());
        assertEquals("quantscope: Invalid value for option '--pp': 'abc' is not an int\n"
                + "Try 'quantscope bench --help' for more information.", r.err().strip());
    }

    @Test
    void verbosePrintsTheTraceAfterTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.gguf");
        Files.writeString(file, "text");
        Run quiet = run("inspect", file.toString());
        Run verbose = run("inspect", "--verbose", file.toString());
        Run verboseFirst = run("--verbose", "inspect", file.toString());
        assertFalse(quiet.err().contains("\tat "), quiet.err());
        String line = quiet.err().lines().findFirst().orElseThrow();
        assertEquals(line, verbose.err().lines().findFirst().orElseThrow());
        assertTrue(verbose.err().contains("\tat dev.quantscope.format.gguf.GgufReader"), verbose.err());
        assertTrue(verboseFirst.err().contains("\tat dev.quantscope.format.gguf.GgufReader"), verboseFirst.err());
    }
}
