package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.quantscope.cli.QuantizeCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code quantscope recover} on a file {@code quantscope prune} wrote: its JSON figures and what it refuses. */
class RecoverCommandTest {

    @TempDir
    Path dir;

    private static Path stories() { return SharedFiles.file("models/stories260K.gguf"); }

    @Test
    void recoversAPrunedFileAndReportsHeldOutFiguresBeforeAndAfter() throws Exception {
        Path pruned = dir.resolve("p.gguf"), out = dir.resolve("r.gguf"), text = dir.resolve("t.txt");
        assertEquals(0, run("prune", stories().toString(), pruned.toString(), "--ffn", "0.3").exit());
        String shakespeare = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt"), StandardCharsets.UTF_8);
        Files.writeString(text, shakespeare.substring(0, 10_000));
        QuantizeCommandTest.Run r = run("recover", "--dense", stories().toString(), "--pruned", pruned.toString(),
                "-o", out.toString(), "--text", text.toString(), "--ctx", "64", "--steps", "8", "--batch", "2",
                "--lr", "3e-3", "--threads", "2", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertTrue(doc.get("kld_after").asDouble() < doc.get("kld_before").asDouble(), r.out());
        assertEquals(8, doc.get("steps").asInt());
        assertEquals(0, doc.get("masked_zeros").asLong(), "a structured cut leaves no zeros to keep: " + r.out());
        assertTrue(doc.get("held_out_tokens").asLong() > 0);
        assertTrue(Files.size(out) < Files.size(stories()), "the student's smaller shapes are kept");
        assertTrue(r.err().contains("recovery (8 steps of 2 windows)"), r.err());
    }

    @Test
    void refusesToWriteOverAnInputAndNamesAMissingFile() {
        Path missing = dir.resolve("missing.gguf");
        QuantizeCommandTest.Run over = run("recover", "--dense", stories().toString(), "--pruned", stories().toString(),
                "-o", stories().toString());
        assertNotEquals(0, over.exit());
        assertEquals(1, over.err().strip().lines().count(), over.err());
        QuantizeCommandTest.Run absent = run("recover", "--dense", stories().toString(), "--pruned", missing.toString(),
                "-o", dir.resolve("o.gguf").toString());
        assertNotEquals(0, absent.exit());
        assertTrue(absent.err().contains("missing.gguf"), absent.err());
        assertFalse(absent.err().contains("Exception"), absent.err());
        QuantizeCommandTest.Run both = run("recover", "--dense", stories().toString(), "--pruned", stories().toString(),
                "-o", dir.resolve("o.gguf").toString(), "--steps", "3", "--epochs", "1");
        assertNotEquals(0, both.exit(), both.err());
        assertEquals("quantscope: give --steps or --epochs, not both", both.err().strip());
    }
}
