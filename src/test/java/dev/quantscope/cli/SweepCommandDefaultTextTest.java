package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sweep} without {@code --text} measures on the bundled sample, and its JSON carries each speed's spread. */
class SweepCommandDefaultTextTest {

    @Test
    void withoutATextTheBundledSampleIsMeasuredAndTheJsonCarriesTheSpread() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = QuantScopeCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("sweep", SharedFiles.file("models/stories260K.gguf").toString(), "--types", "Q6_K,Q2_K",
                "--ctx", "64", "--chunks", "2", "--no-cache", "--json");
        assertEquals(0, exit, err.toString());
        JsonNode doc = new ObjectMapper().readTree(out.toString());
        assertEquals(sha256(SweepText.bundled().readAll()),
                doc.get("text_sha256").asText(), "measured on the bundled text");
        for (JsonNode p : doc.get("points")) {
            assertEquals("measured", p.get("status").asText(), p.toString());
            for (String phase : new String[] {"tg", "pp"}) {
                JsonNode spread = p.get(phase + "_spread");
                double median = p.get(phase + "_tokens_per_s").asDouble();
                assertTrue(spread.get("runs").asInt() >= 3, spread.toString());
                assertTrue(spread.get("q1").asDouble() <= median && median <= spread.get("q3").asDouble(),
                        phase + " median " + median + " within its quartiles " + spread);
            }
        }
        JsonNode noise = doc.get("speed_noise");
        assertTrue(noise.get("relative_half_iqr").asDouble() >= 0);
        if (noise.get("within_noise").asBoolean()) {
            assertEquals(0, doc.get("pareto_latency_kld").size(), "no latency front from noise");
        } else {
            assertTrue(doc.get("pareto_latency_kld").size() >= 1);
        }
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
