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
import java.nio.file.Files;
import java.nio.file.Path;

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
