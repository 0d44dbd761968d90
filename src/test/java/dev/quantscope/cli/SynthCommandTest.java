package dev.quantscope.cli;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.quantscope.cli.QuantizeCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

class SynthCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesALlamaThatReopens() throws Exception {
        Path out = dir.resolve("m.gguf");
        var r = run("synth", out.toString(), "--dim", "128", "--layers", "2", "--heads", "4", "--kv-heads", "2",
                "--ffn", "256", "--vocab", "512", "--dtype", "f32", "--seed", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("tokenizer of stories260K.gguf"), r.out());
        assertTrue(r.out().contains("parameters"), r.out());
        try (Model m = ModelOpener.open(out)) {
            assertEquals(DType.F32, m.tensor("blk.1.ffn_down.weight").orElseThrow().dtype());
            assertArrayEquals(new long[] {256, 128}, m.tensor("blk.1.ffn_down.weight").orElseThrow().shape().dims());
            assertArrayEquals(new long[] {128, 64}, m.tensor("blk.0.attn_v.weight").orElseThrow().shape().dims());
            assertEquals(512, ((List<?>) m.metadata().get("tokenizer.ggml.tokens")).size());
            assertEquals(0L, m.metadata().get("general.file_type"));
        }
    }

    @Test
    void badOptionsExitNonZeroWithOneLine() {
        String[][] cases = {
                {"synth", dir.resolve("a.gguf").toString(), "--dim", "100", "--layers", "1", "--heads", "3", "--kv-heads", "1", "--ffn", "64", "--vocab", "300"},
                {"synth", dir.resolve("a.gguf").toString(), "--dim", "64", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "64", "--vocab", "300", "--dtype", "bf8"},
                {"synth", dir.resolve("a.gguf").toString(), "--dim", "64", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "64", "--vocab", "10"},
                {"synth", dir.resolve("a.bin").toString(), "--dim", "64", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--ffn", "64", "--vocab", "300"},
        };
        for (String[] args : cases) {
            var r = run(args);
            assertNotEquals(0, r.exit(), String.join(" ", args));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("quantscope: "), r.err());
        }
    }
}
