package dev.quantscope.cli;

import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class QuantizeCommandTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @TempDir
    Path dir;

    @Test
    void quantizesAndPrintsEveryTensorAndTheTotal() throws Exception {
        Path in = SharedFiles.file("models/synth-llama-dev-f16.gguf");
        Path out = dir.resolve("q.gguf");
        Run r = run("quantize", in.toString(), out.toString(), "--type", "q4_k_m", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals(-1L, Files.mismatch(out, SharedFiles.file("expected/llama-quantize-outputs/dev-Q4_K_M.gguf")));
        assertTrue(r.out().matches("(?s).*blk\\.2\\.ffn_down\\.weight\\s+F16\\s+Q6_K\\s+161280\\s+6\\.563\\s+\\d\\d\\.\\d\\d\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*output_norm\\.weight\\s+F32\\s+F32\\s+1024\\s+32\\.000\\s+exact\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*total: 30 tensors, .* \\d\\.\\d{4} bpw, SQNR \\d\\d\\.\\d\\d dB, .* s on 2 threads\\n.*"), r.out());
        assertTrue(r.out().contains(Files.size(out) + " bytes, Q4_K_M"), r.out());
    }

    @Test
    void badInputExitsNonZeroWithOneLine() throws Exception {
        Path in = SharedFiles.file("models/synth-llama-dev-f16.gguf");
        Path stories = SharedFiles.file("models/stories260K.gguf");
        String[][] cases = {
                {"quantize", in.toString(), dir.resolve("a.gguf").toString(), "--type", "Q9_K"},
                {"quantize", in.toString(), dir.resolve("a.gguf").toString(), "--type", "Q4_0", "--threads", "0"},
                {"quantize", in.toString(), dir.resolve("a.safetensors").toString(), "--type", "Q4_0", "--packed"},
                {"quantize", stories.toString(), dir.resolve("a.gguf").toString(), "--type", "Q4_0"},
                {"quantize", dir.resolve("missing.gguf").toString(), dir.resolve("a.gguf").toString(), "--type", "Q4_0"},
                {"quantize", in.toString(), in.toString(), "--type", "Q8_0"},
        };
        for (String[] args : cases) {
            Run r = run(args);
            assertNotEquals(0, r.exit(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("quantscope: "), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertTrue(run(cases[3]).err().contains("blk.0.ffn_down.weight"), "names the tensor");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void usageNamesEveryOption() {
        Run r = run("quantize", "--help");
        assertEquals(0, r.exit());
        for (String option : new String[] {"--type", "--recipe", "--imatrix", "--dtype", "--packed", "--[no-]stamp", "--threads"}) {
            assertTrue(r.out().contains(option), option + " in " + r.out());
        }
        assertTrue(QuantScopeCommand.subcommandNames().containsAll(java.util.List.of("quantize", "synth", "bench")));
    }

    @Test
    void recipeFileToGgufPrintsSchemesAndIsStamped() throws Exception {
        Path recipe = dir.resolve("mix.json");
        Files.writeString(recipe, """
                {"format": "quantscope.recipe/1", "name": "mix", "default": "ggml:Q4_K",
                 "rules": [{"match": "blk.*.ffn_down*", "scheme": "ggml:Q8_0"}]}
                """);
        Path out = dir.resolve("mix.gguf");
        Run r = run("quantize", SharedFiles.file("models/synth-llama-dev-f16.gguf").toString(), out.toString(),
                "--recipe", recipe.toString(), "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*blk\\.0\\.ffn_down\\.weight\\s+F16\\s+Q8_0\\s+208896\\s+8\\.500\\s+\\d\\d\\.\\d\\d\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*blk\\.0\\.ffn_up\\.weight\\s+F16\\s+Q4_K\\s+110592\\s+4\\.500\\s+\\d\\d\\.\\d\\d\\n.*"), r.out());
        assertTrue(r.out().contains(Files.size(out) + " bytes, recipe mix"), r.out());
        assertTrue(r.out().contains("stamped"), r.out());
        try (var m = dev.quantscope.format.gguf.GgufReader.open(out)) {
            assertEquals("mix", dev.quantscope.recipe.RecipeJson.parse(
                    (String) m.metadata().get(dev.quantscope.recipe.RecipeStamp.RECIPE_KEY), "x").name());
        }
    }

    @Test
    void schemeTypeToSafetensorsPrintsSchemeIdsAndHfNames() throws Exception {
        Path out = dir.resolve("s.safetensors");
        Run r = run("quantize", SharedFiles.file("models/stories260K.gguf").toString(), out.toString(),
                "--type", "nf4-b64", "--dtype", "bf16", "--threads", "2", "--no-stamp");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*blk\\.0\\.ffn_up\\.weight\\s+F32\\s+nf4-b64\\s+\\d+\\s+4\\.500\\s+\\d+\\.\\d\\d\\s+BF16 dequantized as model\\.layers\\.0\\.mlp\\.up_proj\\.weight\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*output_norm\\.weight\\s+F32\\s+keep\\s+256\\s+32\\.000\\s+\\S+\\s+BF16 dequantized as model\\.norm\\.weight\\n.*"), r.out());
        assertFalse(r.out().contains("stamped"), r.out());
        try (var m = dev.quantscope.format.safetensors.SafetensorsReader.open(out)) {
            assertEquals(dev.quantscope.tensor.DType.BF16, m.tensor("model.layers.0.mlp.up_proj.weight").orElseThrow().dtype());
        }
    }

    @Test
    void recipeAndOptionErrorsAreOneLine() throws Exception {
        Path in = SharedFiles.file("models/synth-llama-dev-f16.gguf");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, """
                {"format": "quantscope.recipe/1", "default": "int4-asym-g128-rtn",
                 "rules": [{"match": "blk.*", "schem": "keep"}]}
                """);
        Path notJson = dir.resolve("broken.json");
        Files.writeString(notJson, "{\"format\": ");
        Path out = dir.resolve("o.safetensors").toAbsolutePath();
        String[][] cases = {
                {"quantize", in.toString(), out.toString(), "--recipe", bad.toString()},
                {"quantize", in.toString(), out.toString(), "--recipe", notJson.toString()},
                {"quantize", in.toString(), out.toString(), "--type", "int4-asym-g128-rtn", "--recipe", bad.toString()},
                {"quantize", in.toString(), out.toString()},
                {"quantize", in.toString(), out.toString(), "--type", "int9-sym-row-rtn"},
                {"quantize", in.toString(), out.toString(), "--type", "Q4_K_M", "--imatrix", bad.toString()},
                {"quantize", in.toString(), out.toString(), "--type", "Q4_K_M", "--dtype", "f8"},
                {"quantize", in.toString(), dir.resolve("o.bin").toString(), "--type", "Q4_K_M"},
                {"quantize", in.toString(), dir.resolve("o.gguf").toString(), "--type", "Q4_K_M", "--packed"},
                {"quantize", in.toString(), dir.resolve("o.gguf").toString(), "--type", "nf4-b64"},
        };
        String[] expected = {"$.rules[0].schem", "not valid JSON", "exactly one", "exactly one", "int9",
                "cannot read importance matrix " + bad, "--dtype", ".gguf or .safetensors", "packed", "cannot be stored in GGUF"};
        for (int i = 0; i < cases.length; i++) {
            Run r = run(cases[i]);
            assertNotEquals(0, r.exit(), String.join(" ", cases[i]));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("quantscope: "), r.err());
            assertTrue(r.err().contains(expected[i]), expected[i] + " in " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the two recipe files");
        }
    }
}
