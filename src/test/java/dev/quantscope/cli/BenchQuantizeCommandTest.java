package dev.quantscope.cli;

import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.quantscope.cli.QuantizeCommandTest.run;
import static org.junit.jupiter.api.Assertions.*;

class BenchQuantizeCommandTest {

    @Test
    void printsSpeedAndDeletesItsOutput(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("dev.gguf");
        Files.copy(SharedFiles.file("models/synth-llama-dev-f16.gguf"), model);
        var r = run("bench", "quantize", model.toString(), "--type", "Q4_K_M", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s)dev\\.gguf -> Q4_K_M, 2 threads: \\d+\\.\\d\\d s .*"), r.out());
        assertTrue(r.out().matches("(?s).* \\d+\\.\\d MB/s of source tensors \\(5250048 bytes\\), \\d+\\.\\d\\d M weights/s \\(2623232 weights\\), output " + Files.size(SharedFiles.file("expected/llama-quantize-outputs/dev-Q4_K_M.gguf")) + " bytes\\n(  process CPU \\d+\\.\\d\\d s .*\\n)?"), r.out());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the model is left");
        }
        var bad = run("bench", "quantize", model.toString(), "--type", "nope");
        assertEquals(1, bad.exit());
        assertEquals(1, bad.err().lines().count(), bad.err());
    }
}
