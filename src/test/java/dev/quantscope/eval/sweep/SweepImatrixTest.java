package dev.quantscope.eval.sweep;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.imatrix.ImatrixComputation;
import dev.quantscope.quant.imatrix.ImatrixFiles;
import dev.quantscope.quant.imatrix.ImportanceMatrix;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sweeps of stories260K with an importance matrix computed from the first 60,000 bytes of tinyshakespeare, measured
 * on 16,000 bytes from further on (bytes 600,000 on), which the matrix never saw.
 */
class SweepImatrixTest {
    private static final int CTX = 128;
    private static Model model;
    private static String calibration, evaluation;

    @BeforeAll
    static void open() throws Exception {
        model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        calibration = new String(Arrays.copyOf(all, 60_000), StandardCharsets.UTF_8); // ASCII: no split character
        evaluation = new String(Arrays.copyOfRange(all, 600_000, 616_000), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SweepRequest request(ImatrixSource imatrix, String... schemes) {
        return SweepRequest.of(Arrays.stream(schemes).map(SweepScheme::parse).toList(), evaluation, CTX)
                .withThreads(2).withLatencyRun(16, 4).withImatrix(imatrix);
    }

    private static ImatrixSource.FromText fromCalibration() {
        return new ImatrixSource.FromText(calibration, "tinyshakespeare.txt", CTX, 0);
    }

    @Test
    void theImatrixLowersTheKlDivergenceOfQ2kAndEverySchemeGetsBothPoints(@TempDir Path dir) throws Exception {
        SweepCache cache = new SweepCache(dir);
        List<SweepPoint> seen = new ArrayList<>();
        List<long[]> progress = Collections.synchronizedList(new ArrayList<>());
        ProgressMonitor recording = new ProgressMonitor() {
            @Override public void progress(long done, long total) { progress.add(new long[] {done, total}); }
            @Override public boolean isCancelled() { return false; }
        };
        SweepResult r = Sweep.run(model, request(fromCalibration(), "Q2_K", "int4-asym-g32-mse"), cache, seen::add,
                recording);
        assertEquals(r.points(), seen);
        assertEquals(List.of("Q2_K", "Q2_K+imatrix", "int4-asym-g32-mse", "int4-asym-g32-mse+imatrix"),
                seen.stream().map(SweepPoint::schemeId).toList());
        assertEquals(List.of(false, true, false, true), seen.stream().map(SweepPoint::imatrix).toList());
        for (int i = 0; i < seen.size(); i++) assertEquals(i, seen.get(i).index());
        assertFalse(r.imatrixSha256().isEmpty());
        // The bar runs forward on one scale (imatrix computation included) and ends full.
        long total = progress.getFirst()[1];
        for (int i = 1; i < progress.size(); i++) {
            assertEquals(total, progress.get(i)[1]);
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress went back at " + i);
        }
        assertEquals(total, progress.getLast()[0]);

        SweepPoint.Measured plain = assertInstanceOf(SweepPoint.Measured.class, seen.get(0));
        SweepPoint.Measured weighted = assertInstanceOf(SweepPoint.Measured.class, seen.get(1));
        assertEquals("Q2_K+imatrix", weighted.label());
        assertEquals(plain.accuracy().tokens(), weighted.accuracy().tokens(), "both measured on the same tokens");
        System.out.printf("Q2_K on stories260K, ctx %d, %d tokens: mean KLD %.6f without, %.6f with the imatrix "
                        + "(%.1f%%); PPL %.3f -> %.3f (base %.3f); top-1 %.4f -> %.4f%n", CTX,
                plain.accuracy().tokens(), plain.accuracy().kldMean(), weighted.accuracy().kldMean(),
                100 * (weighted.accuracy().kldMean() / plain.accuracy().kldMean() - 1), plain.accuracy().ppl(),
                weighted.accuracy().ppl(), plain.accuracy().pplBase(), plain.accuracy().sameTopP(),
                weighted.accuracy().sameTopP());
        assertTrue(weighted.accuracy().kldMean() < plain.accuracy().kldMean(),
                "the imatrix should bring Q2_K closer to F32: " + weighted.accuracy() + " vs " + plain.accuracy());

        // int4 grids take no importance matrix: its variant says so instead of repeating the plain point.
        assertInstanceOf(SweepPoint.Measured.class, seen.get(2));
        SweepPoint.Skipped int4 = assertInstanceOf(SweepPoint.Skipped.class, seen.get(3));
        assertTrue(int4.imatrix() && int4.reason().contains("importance matrix"), int4.reason());

        // Run again: both measured points from the cache, with their flags, and no imatrix computed (no progress
        // report comes from inside the computation, which would cover the first unit).
        List<long[]> again = Collections.synchronizedList(new ArrayList<>());
        SweepResult r2 = Sweep.run(model, request(fromCalibration(), "Q2_K", "int4-asym-g32-mse"), cache,
                SweepListener.NONE, new ProgressMonitor() {
                    @Override public void progress(long done, long total) { again.add(new long[] {done, total}); }
                    @Override public boolean isCancelled() { return false; }
                });
        assertEquals(0, r2.computed());
        assertEquals(3, r2.cacheHits());
        SweepPoint.Measured cachedWeighted = assertInstanceOf(SweepPoint.Measured.class, r2.points().get(1));
        assertTrue(cachedWeighted.fromCache() && cachedWeighted.imatrix());
        assertEquals(weighted.accuracy(), cachedWeighted.accuracy());
        assertFalse(((SweepPoint.Measured) r2.points().get(0)).imatrix());
        assertTrue(again.stream().allMatch(p -> p[0] % Sweep.UNIT == 0), "something ran inside a unit");

        // Without the imatrix the plain point is the one from the cache, never the weighted one.
        SweepResult r3 = Sweep.run(model, request(ImatrixSource.NONE, "Q2_K"), cache, SweepListener.NONE,
                ProgressMonitor.NONE);
        assertEquals(1, r3.points().size());
        SweepPoint.Measured p3 = assertInstanceOf(SweepPoint.Measured.class, r3.points().getFirst());
        assertTrue(p3.fromCache());
        assertFalse(p3.imatrix());
        assertEquals(plain.accuracy(), p3.accuracy());
        assertEquals("", r3.imatrixSha256());

        // Another importance matrix (from another part of the text, read from a file) is another key for the
        // weighted point only.
        Path other = dir.resolve("other.imatrix.gguf");
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        ImatrixFiles.writeGguf(compute(new String(Arrays.copyOfRange(all, 200_000, 240_000), StandardCharsets.UTF_8)),
                other);
        SweepResult r4 = Sweep.run(model, request(new ImatrixSource.FromFile(other), "Q2_K"), cache,
                SweepListener.NONE, ProgressMonitor.NONE);
        assertEquals(1, r4.cacheHits());
        assertEquals(1, r4.computed());
        assertNotEquals(r.imatrixSha256(), r4.imatrixSha256());
        SweepPoint.Measured p4 = assertInstanceOf(SweepPoint.Measured.class, r4.points().get(1));
        assertFalse(p4.fromCache());
        assertTrue(p4.imatrix());
    }

    @Test
    void aFilesIdentityIsItsMatrixNotItsName(@TempDir Path dir) throws Exception {
        ImportanceMatrix m = compute(calibration.substring(0, 20_000));
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf");
        ImatrixFiles.writeGguf(m, a);
        ImatrixFiles.writeGguf(m, b);
        String idA = SweepImatrix.of(new ImatrixSource.FromFile(a)).identity();
        assertEquals(idA, SweepImatrix.of(new ImatrixSource.FromFile(b)).identity());
        assertEquals(idA, SweepImatrix.digest(ImatrixFiles.read(a)));
        // One count changed is another matrix.
        var entries = new java.util.TreeMap<>(m.entries());
        String first = entries.firstKey();
        float[] counts = entries.get(first).counts();
        counts[0] += 1;
        entries.put(first, new ImportanceMatrix.Entry(entries.get(first).sums(), counts));
        ImatrixFiles.writeGguf(new ImportanceMatrix(entries, m.chunkCount(), m.chunkSize(), m.datasets()), b);
        assertNotEquals(idA, SweepImatrix.of(new ImatrixSource.FromFile(b)).identity());
        assertTrue(SweepImatrix.of(ImatrixSource.NONE) == null);
    }

    @Test
    void cancelWhileComputingTheImatrixDeliversNothingMore() {
        AtomicBoolean cancel = new AtomicBoolean();
        List<SweepPoint> delivered = new ArrayList<>();
        ProgressMonitor monitor = new ProgressMonitor() {
            @Override
            public void progress(long done, long total) {
                // The plain Q2_K point takes [0, 2000) (base pass included); the imatrix is computed in the next unit.
                if (done > 2 * Sweep.UNIT && done < 3 * Sweep.UNIT) cancel.set(true);
            }
            @Override public boolean isCancelled() { return cancel.get(); }
        };
        assertThrows(CancellationException.class, () -> Sweep.run(model, request(fromCalibration(), "Q2_K", "Q6_K"),
                SweepCache.disabled(), delivered::add, monitor));
        assertTrue(cancel.get(), "the imatrix computation never reported progress");
        assertEquals(1, delivered.size(), "only the plain point, measured before the cancel");
        assertFalse(delivered.getFirst().imatrix());
    }

    private static ImportanceMatrix compute(String text) throws Exception {
        try (LlamaEngine engine = new LlamaEngine(model, CTX, 2)) {
            int[] tokens = Tokenizers.forModel(model).encode(text, true);
            return ImatrixComputation.compute(engine, tokens, CTX, 1, 0, false, List.of("part"), ProgressMonitor.NONE);
        }
    }
}
