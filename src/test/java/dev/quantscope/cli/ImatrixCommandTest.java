package dev.quantscope.cli;

import dev.quantscope.quant.imatrix.ImatrixFiles;
import dev.quantscope.quant.imatrix.ImportanceMatrix;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImatrixCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void writesAGgufImatrixOfTheRequestedChunks(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("calib.txt");
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        Files.write(text, Arrays.copyOf(all, 40_000));
        Path out = dir.resolve("stories.imatrix.gguf");
        String model = SharedFiles.file("models/stories260K.gguf").toString();
        Run r = run("imatrix", model, "--text", text.toString(), "-o", out.toString(), "--ctx", "128",
                "--chunks", "3", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("3 chunks of 128 tokens, 35 tensors"), r.out());
        ImportanceMatrix im = ImatrixFiles.read(out);
        assertEquals(3, im.chunkCount());
        assertEquals(128, im.chunkSize());
        assertEquals(List.of("calib.txt"), im.datasets());
        assertEquals(384f, im.entry("blk.3.ffn_down.weight").orElseThrow().counts()[0]);

        Path withHead = dir.resolve("head.gguf");
        r = run("imatrix", model, "--text", text.toString(), "-o", withHead.toString(), "--ctx", "128",
                "--chunks", "2", "--process-output");
        assertEquals(0, r.exit(), r.err());
        ImportanceMatrix head = ImatrixFiles.read(withHead);
        assertEquals(36, head.entries().size());
        assertEquals(256f, head.entry("output.weight").orElseThrow().counts()[0]);
    }

    @Test
    void tooShortATextIsAnError(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("short.txt");
        Files.writeString(text, "Once upon a time.");
        Path out = dir.resolve("x.gguf");
        Run r = run("imatrix", SharedFiles.file("models/stories260K.gguf").toString(), "--text", text.toString(),
                "-o", out.toString(), "--ctx", "64");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("need at least 128"), r.err());
        assertFalse(Files.exists(out));
    }
}
