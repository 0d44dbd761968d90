package dev.quantscope.eval.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A cached point keeps the spread of its timed runs, so a sweep from the cache judges its speeds as a fresh one. */
class SweepCacheSpreadTest {

    private static final SweepCache.Key KEY = new SweepCache.Key("model", "Q2_K", "", "text", 128, 0, 64, 16, 2, "build");

    @Test
    void theSpreadOfBothPhasesSurvivesTheCache(@TempDir Path dir) throws Exception {
        SweepCache cache = new SweepCache(dir);
        Latency latency = new Latency(5000, 3000, 64, 16, 2, new RateSpread(4500, 5600, 15), new RateSpread(2400, 3300, 15));
        cache.put(KEY, new SweepPoint.Measured(0, "Q2_K", "Q2_K", false, 262144, 7.18, latency,
                new Accuracy(0.16, 0.09, 0.3, 1.1, 3.9, 0.72, 79.4, 78.7, 4000, 31), false, 6.5));
        Latency back = cache.get(KEY, 0).orElseThrow().latency();
        assertEquals(latency, back);
        assertEquals(new RateSpread(2400, 3300, 15), back.generationSpread());
    }

    @Test
    void aPointWrittenBeforeSpreadsIsMeasuredAgain(@TempDir Path dir) throws Exception {
        SweepCache cache = new SweepCache(dir);
        cache.put(KEY, new SweepPoint.Measured(0, "Q2_K", "Q2_K", false, 1, 7, new Latency(5000, 3000, 64, 16, 2),
                new Accuracy(0.16, 0.09, 0.3, 1.1, 3.9, 0.72, 79.4, 78.7, 4000, 31), false, 1));
        Path file;
        try (var files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        // As the previous format wrote it: no spreads, format 1. Its speed alone cannot be judged against noise.
        String old = Files.readString(file).replace("quantscope.sweep-point/2", "quantscope.sweep-point/1")
                .replaceAll("(?s),\\s*\"pp_spread\".*?\\}\\s*,\\s*\"tg_spread\"\\s*:\\s*\\{.*?\\}", "");
        Files.writeString(file, old);
        assertFalse(old.contains("spread"), old);
        assertFalse(cache.get(KEY, 0).isPresent());
    }
}
