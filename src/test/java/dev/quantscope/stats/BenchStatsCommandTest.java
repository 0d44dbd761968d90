package dev.quantscope.stats;

import dev.quantscope.cli.QuantScopeCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static dev.quantscope.stats.StatsFixtures.shared;
import static org.junit.jupiter.api.Assertions.*;

/** The {@code bench stats} command (it lives in the cli package; tested here with the engine it drives). */
class BenchStatsCommandTest {
    @Test
    void benchStatsReportsBytesSecondsAndRatePerDtype() throws Exception {
        long tensorBytes;
        try (var m = dev.quantscope.format.ModelOpener.open(shared("models/synth-llama-dev-f16.gguf"))) {
            tensorBytes = m.tensorBytes();
        }
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = QuantScopeCommand.run("bench", "stats", shared("models/synth-llama-dev-f16.gguf").toString(),
                    "--threads", "2", "--rounds", "1");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("2 threads") && out.contains("round 1 (cold)") && !out.contains("round 2"), out);
        assertTrue(out.matches("(?s).*\\n  F16 +[\\d,]+ bytes .* GB/s.*"), out);
        assertTrue(out.matches("(?s).*\\n  F32 +[\\d,]+ bytes .* GB/s.*"), out);
        // The total line counts every tensor byte of this all-decodable model.
        assertTrue(out.matches("(?s).*\\n  total +" + String.format(java.util.Locale.ROOT, "%,d", tensorBytes)
                + " bytes .*"), out);
    }
}
