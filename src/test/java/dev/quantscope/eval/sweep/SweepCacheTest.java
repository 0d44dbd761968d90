package dev.quantscope.eval.sweep;

import dev.quantscope.engine.EngineBuild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCacheTest {

    private static SweepPoint.Measured point() {
        return new SweepPoint.Measured(0, "Q4_K_M", "Q4_K_M", false, 1234, 4.9,
                new Latency(100, 40, 64, 16, 2), new Accuracy(0.04, 0.02, 0.1, 0.3, 1.2, 0.86, 99.1, 98.6, 4000, 8), false, 3);
    }

    private static SweepCache.Key key(int threads, String engine) {
        return new SweepCache.Key("model", "Q4_K_M", "", "text", 256, 8, 64, 16, threads, engine);
    }

    @Test
    void aPointIsReusedOnlyBySameEngineAndThreads(@TempDir Path dir) throws Exception {
        SweepCache cache = new SweepCache(dir);
        cache.put(key(2, "0.1.0 build A lanes=16"), point());
        var hit = cache.get(key(2, "0.1.0 build A lanes=16"), 5);
        assertTrue(hit.isPresent());
        assertEquals(5, hit.get().index());
        assertTrue(hit.get().fromCache());
        assertEquals(40, hit.get().latency().generationTokensPerSecond());
        // another build (or other kernels) measured nothing of this: its speed may differ
        assertFalse(cache.get(key(2, "0.1.0 build B lanes=16"), 5).isPresent());
        assertFalse(cache.get(key(2, "0.1.0 build A lanes=8"), 5).isPresent());
        assertFalse(cache.get(key(4, "0.1.0 build A lanes=16"), 5).isPresent());
    }

    @Test
    void theRunningEngineHasAnIdentityWithItsKernels() {
        String id = EngineBuild.identity();
        assertTrue(id.matches(".+ lanes=\\d+"), id);
        // built by Maven, so the version was filled in, not left as a placeholder
        assertFalse(id.contains("${"), id);
        assertFalse(id.startsWith("unknown build"), id);
    }
}
