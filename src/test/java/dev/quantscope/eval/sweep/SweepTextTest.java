package dev.quantscope.eval.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTextTest {

    @Test
    void theBundledSampleIsTheAssetWithItsLicenseBesideIt() throws Exception {
        String bundled = SweepText.bundled().readAll();
        assertEquals(Files.readString(Path.of("assets/text/shakespeare.txt"), StandardCharsets.UTF_8), bundled,
                "the jar's copy is assets/text/shakespeare.txt");
        assertTrue(bundled.startsWith("First Citizen:"), bundled.substring(0, 40));
        try (InputStream license = SweepText.class.getResourceAsStream(
                SweepText.Bundled.RESOURCE.replace("shakespeare.txt", "LICENSE-shakespeare.txt"))) {
            assertNotNull(license, "the license travels with the text");
            assertTrue(new String(license.readAllBytes(), StandardCharsets.UTF_8).contains("public domain"));
        }
        assertEquals(SweepText.bundled(), SweepText.bundled());
    }

    @Test
    void aPrefixEndsAtTheLastLineBreak(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.txt");
        Files.writeString(file, "one two\nthree four\nfive");
        SweepText text = new SweepText.FromFile(file);
        assertEquals("t.txt", text.name());
        assertEquals("one two\n", text.read(12), "cut back to the line break, no word split");
        assertEquals("one two\nthree four\nfive", text.read(100), "shorter than the limit: all of it");
        assertEquals("one two\nthree four\nfive", text.readAll());
        assertEquals("one", text.read(3), "no line break within the limit: the bytes as they are");
    }
}
