package dev.quantscope.app;

import dev.quantscope.app.explorer.Heatmap;
import dev.quantscope.app.explorer.HeatmapSampler;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heatmap's cells against a brute-force reading of the whole tensor. */
class ExplorerHeatmapSamplerTest {
    private static Model model;

    @BeforeAll
    static void open() throws Exception {
        model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aSmallMatrixIsShownWeightForWeight() {
        TensorInfo t = model.tensor("blk.0.attn_q.weight").orElseThrow();
        float[] all = Decoders.decodeAll(t);
        Heatmap h = HeatmapSampler.sample(t, 512, 512, ProgressMonitor.NONE);
        assertEquals(64, h.height());
        assertEquals(64, h.width());
        assertTrue(h.isExact());
        float absMax = 0;
        for (int r = 0; r < 64; r++) {
            assertEquals(r, h.sourceRow(r));
            for (int c = 0; c < 64; c++) {
                assertEquals(all[r * 64 + c], h.value(r, c), 0f, "cell " + r + "," + c);
                assertEquals(c, h.sourceColumn(r, c));
                absMax = Math.max(absMax, Math.abs(all[r * 64 + c]));
            }
        }
        assertEquals(absMax, h.scale(), 0f);
    }

    @Test
    void downsamplingSamplesRowsAndKeepsTheLargestMagnitudeOfEachColumnBucket() {
        TensorInfo t = model.tensor("blk.0.ffn_gate.weight").orElseThrow();
        long rows = t.shape().rows(), len = t.shape().rowLength();
        float[] all = Decoders.decodeAll(t);
        Heatmap h = HeatmapSampler.sample(t, 16, 10, ProgressMonitor.NONE);
        assertEquals(10, h.height());
        assertEquals(16, h.width());
        for (int y = 0; y < 10; y++) {
            long row = y * rows / 10;
            assertEquals(row, h.sourceRow(y));
            for (int x = 0; x < 16; x++) {
                float best = Float.NaN;
                long bestCol = -1;
                for (long c = 0; c < len; c++) {
                    if (c * 16 / len != x) continue;
                    float v = all[(int) (row * len + c)];
                    if (bestCol < 0 || Math.abs(v) > Math.abs(best)) {
                        best = v;
                        bestCol = c;
                    }
                }
                assertEquals(best, h.value(y, x), 0f, "cell " + y + "," + x);
                assertEquals(bestCol, h.sourceColumn(y, x));
                assertEquals(best, all[(int) (row * len + h.sourceColumn(y, x))], 0f);
            }
        }
    }

    @Test
    void reportsProgressPerSampledRowAndStopsWhenCancelled() {
        TensorInfo t = model.tensor("token_embd.weight").orElseThrow();
        AtomicLong last = new AtomicLong();
        HeatmapSampler.sample(t, 64, 100, new ProgressMonitor() {
            @Override public void progress(long done, long total) {
                assertEquals(100, total);
                last.set(done);
            }
            @Override public boolean isCancelled() { return false; }
        });
        assertEquals(100, last.get());

        AtomicLong rowsDone = new AtomicLong();
        ProgressMonitor cancelAfterThree = new ProgressMonitor() {
            @Override public void progress(long done, long total) { rowsDone.set(done); }
            @Override public boolean isCancelled() { return rowsDone.get() >= 3; }
        };
        assertThrows(CancellationException.class, () -> HeatmapSampler.sample(t, 64, 100, cancelAfterThree));
        assertEquals(3, rowsDone.get());
    }
}
