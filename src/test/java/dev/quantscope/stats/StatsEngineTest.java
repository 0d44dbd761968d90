package dev.quantscope.stats;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

import static dev.quantscope.stats.StatsFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class StatsEngineTest {

    /** Every figure against the naive reference: exact where the engine promises exactness. */
    static void assertMatches(NaiveStats ref, TensorStats s, String what) {
        assertEquals(ref.count(), s.count(), what + " count");
        assertEquals(ref.nanCount(), s.nanCount(), what + " nanCount");
        assertEquals(ref.min(), s.min(), 0, what + " min");
        assertEquals(ref.max(), s.max(), 0, what + " max");
        assertEquals(ref.absMax(), s.absMax(), 0, what + " absMax");
        double scale = Math.max(ref.absMax(), Double.MIN_NORMAL);
        assertEquals(ref.mean(), s.mean(), 1e-12 * scale, what + " mean");
        assertEquals(ref.std(), s.std(), 1e-10 * Math.max(ref.std(), 1e-30), what + " std");
        if (Double.isNaN(ref.kurtosis())) {
            assertTrue(Double.isNaN(s.kurtosis()), what + " kurtosis of a constant is undefined");
        } else {
            assertEquals(ref.kurtosis(), s.kurtosis(), 1e-8 * Math.max(1, Math.abs(ref.kurtosis())), what + " kurtosis");
        }
        assertEquals(ref.zeroFraction(), s.zeroFraction(), 0, what + " zeroFraction");
        assertEquals(ref.outlierFraction(), s.outlierFraction(), 0, what + " outlierFraction");
        double[] p = {s.p0_1(), s.p1(), s.p50(), s.p99(), s.p99_9()};
        for (int i = 0; i < p.length; i++) {
            assertEquals(ref.percentiles()[i], p[i], 0, what + " percentile #" + i);
        }
    }

    @Test
    void everyStories260KTensorMatchesTheSortedReference() throws Exception {
        try (Model m = ModelOpener.open(shared("models/stories260K.gguf"))) {
            StatsEngine engine = new StatsEngine(m);
            assertTrue(m.tensors().size() > 40);
            for (TensorInfo t : m.tensors()) {
                assertEquals(DType.F32, t.dtype());
                assertMatches(NaiveStats.of(Decoders.decodeAll(t)), engine.stats(t, ProgressMonitor.NONE), t.name());
            }
            // Sanity on known content: a trained embedding varies and is not centred on a huge offset.
            TensorStats emb = engine.stats(m.tensor("token_embd.weight").orElseThrow(), ProgressMonitor.NONE);
            assertEquals(512 * 64, emb.count());
            assertTrue(emb.std() > 0.01 && emb.min() < 0 && emb.max() > 0);
        }
    }

    @Test
    void f16TensorsMatchTheReferenceOnBothPaths() throws Exception {
        try (Model m = ModelOpener.open(shared("models/synth-llama-dev-f16.gguf"))) {
            StatsEngine engine = new StatsEngine(m, 2);
            ChunkRunner runner = new ChunkRunner(new java.util.concurrent.ForkJoinPool(2));
            int f16 = 0;
            for (TensorInfo t : m.tensors()) {
                NaiveStats ref = NaiveStats.of(Decoders.decodeAll(t));
                assertMatches(ref, engine.stats(t, ProgressMonitor.NONE), t.name());
                if (t.dtype() == DType.F16) {
                    f16++;
                    // The generic decode-and-three-passes path must give the same figures as the code table.
                    TensorStats decoded = DecodedPasses.stats(t, Decoders.find(t.dtype()).orElseThrow(), runner,
                            new ChunkRunner.Progress(ProgressMonitor.NONE, t.parameters(), 3));
                    assertMatches(ref, decoded, t.name() + " (decoded path)");
                }
            }
            assertTrue(f16 >= 10, "the dev model's weights are F16");
            engine.close();
        }
    }

    @Test
    void multiChunkF32WithOffsetOutliersNansAndDuplicates() {
        Random r = new Random(42);
        int n = 300_001; // not a multiple of the chunk: a short last chunk
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // a large offset relative to the spread: naive Σx² would lose most digits here
            x[i] = (float) (1e4 + r.nextGaussian() * 0.01);
            if (i % 997 == 0) x[i] = (float) (1e4 + 0.5);           // outliers (50 σ)
            if (i % 1001 == 0) x[i] = 0;                             // exact zeros
            if (i % 50_000 == 7) x[i] = Float.NaN;
            if (i == 123_456) x[i] = Float.NEGATIVE_INFINITY;
        }
        TensorInfo t = f32("blk.0.ffn_up.weight", x, n);
        StatsEngine engine = new StatsEngine(model(t), 2);
        TensorStats s = engine.stats(t, ProgressMonitor.NONE);
        NaiveStats ref = NaiveStats.of(x);
        assertMatches(ref, s, "offset");
        assertEquals(7, s.nanCount());
        assertTrue(s.outlierFraction() > 0);
        engine.close();
    }

    @Test
    void percentilesAreExactAgainstSortingForHeavyTailsAndManyThreads() {
        Random r = new Random(7);
        int n = 200_000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            x[i] = (float) (g * g * g * 1e-3); // heavy tails, dense around 0, negative and positive
        }
        TensorStats first = null;
        for (int threads : new int[] {1, 2, 3}) {
            TensorInfo t = f32("w", x, 400, 500);
            try (StatsEngine engine = new StatsEngine(model(t), threads)) {
                TensorStats s = engine.stats(t, ProgressMonitor.NONE);
                assertMatches(NaiveStats.of(x), s, threads + " threads");
                if (first == null) first = s;
                assertEquals(first, s, "bit-identical whatever the thread count");
            }
        }
    }

    /** Pruned weights: every other one ±0, a few NaN and infinite; both paths count the zeros exactly. */
    @Test
    void zerosAreCountedAmongTheFiniteValues() {
        float[] x = new float[10_007];
        int zeros = 0, nonFinite = 0;
        for (int i = 0; i < x.length; i++) {
            if (i % 2 == 0) { x[i] = i % 4 == 0 ? 0f : -0f; zeros++; }
            else if (i % 1000 == 1) { x[i] = i % 3 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY; nonFinite++; }
            else x[i] = 1 + i * 1e-3f;
        }
        for (TensorInfo t : new TensorInfo[] {f32("p", x, x.length), f16("p", x, x.length)}) {
            TensorStats s = new StatsEngine(model(t)).stats(t, ProgressMonitor.NONE);
            assertEquals(nonFinite, s.nanCount(), t.dtype().name());
            assertEquals(x.length - nonFinite, s.finiteCount(), t.dtype().name());
            assertEquals(zeros, s.zeroCount(), t.dtype().name());
            assertEquals((double) zeros / (x.length - nonFinite), s.zeroFraction(), 0, t.dtype().name());
        }
    }

    @Test
    void constantAndZeroTensors() {
        for (float c : new float[] {0f, 3.25f, -0.1f}) {
            float[] x = new float[100_000];
            java.util.Arrays.fill(x, c);
            for (TensorInfo t : new TensorInfo[] {f32("c", x, 1000, 100), f16("c", x, 1000, 100)}) {
                StatsEngine engine = new StatsEngine(model(t));
                TensorStats s = engine.stats(t, ProgressMonitor.NONE);
                double v = Float.float16ToFloat(Float.floatToFloat16(c)) == c ? c : (t.dtype() == DType.F16
                        ? Float.float16ToFloat(Float.floatToFloat16(c)) : c);
                assertEquals(v, s.min(), 0);
                assertEquals(v, s.max(), 0);
                assertEquals(v, s.mean(), 0, "the mean of a constant is the constant exactly");
                assertEquals(0, s.std(), 0);
                assertTrue(Double.isNaN(s.kurtosis()));
                assertEquals(0, s.outlierFraction(), 0);
                assertEquals(c == 0 ? 1 : 0, s.zeroFraction(), 0);
                assertEquals(v, s.p0_1(), 0);
                assertEquals(v, s.p99_9(), 0);

                Histogram h = engine.histogram(t, 64, ProgressMonitor.NONE);
                assertEquals(100_000, h.total());
                assertTrue(h.lo() < v && v < h.hi(), "a widened range around the single value");
                assertEquals(100_000, h.count(32), "the value lands in the middle bin");
                assertTrue(h.binWidth() > 0);
            }
        }
    }

    @Test
    void histogramCountsEveryFiniteElementOnceInTheRightBin() throws Exception {
        try (Model m = ModelOpener.open(shared("models/synth-llama-dev-f16.gguf"))) {
            StatsEngine engine = new StatsEngine(m);
            for (String name : new String[] {"token_embd.weight", "blk.1.ffn_down.weight", "blk.0.attn_norm.weight"}) {
                TensorInfo t = m.tensor(name).orElseThrow();
                float[] x = Decoders.decodeAll(t);
                for (int bins : new int[] {1, 7, 256}) {
                    Histogram h = engine.histogram(t, bins, ProgressMonitor.NONE);
                    NaiveStats ref = NaiveStats.of(x);
                    if (ref.min() == ref.max()) {
                        assertTrue(h.lo() < ref.min() && ref.max() < h.hi(), name + ": constant, range widened");
                    } else {
                        assertEquals(ref.min(), h.lo(), 0);
                        assertEquals(ref.max(), h.hi(), 0);
                    }
                    assertEquals(ref.count() - ref.nanCount(), h.total(), name + " counts sum to the finite count");
                    assertArrayEquals(naiveHistogram(x, h.lo(), h.hi(), bins), h.counts(), name + " " + bins);
                    // the decoded path bins the same way as the code table
                    Histogram decoded = DecodedPasses.histogram(t, Decoders.find(t.dtype()).orElseThrow(),
                            Binning.over(h.lo(), h.hi(), bins), new ChunkRunner(java.util.concurrent.ForkJoinPool.commonPool()),
                            new ChunkRunner.Progress(ProgressMonitor.NONE, t.parameters(), 1));
                    assertArrayEquals(h.counts(), decoded.counts());
                }
            }
            TensorInfo f32 = f32("x", new float[] {0, 1, 2, 3, Float.NaN, 4}, 6);
            Histogram h = new StatsEngine(model(f32)).histogram(f32, 4, ProgressMonitor.NONE);
            assertArrayEquals(new long[] {1, 1, 1, 2}, h.counts(), "last bin closed, NaN left out");
            double[] log = h.log10Counts();
            assertEquals(Math.log10(3), log[3], 1e-15);
        }
    }

    /** Bins by the definition: floor((x − lo) / width), the maximum in the last bin. */
    private static long[] naiveHistogram(float[] x, double lo, double hi, int bins) {
        long[] c = new long[bins];
        for (float v : x) {
            if (!Float.isFinite(v)) continue;
            int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
            c[Math.min(bins - 1, Math.max(0, b))]++;
        }
        return c;
    }

    @Test
    void channelRangesPerRowForGgmlAndRowMajorShapes() throws Exception {
        try (Model m = ModelOpener.open(shared("models/stories260K.gguf"))) {
            StatsEngine engine = new StatsEngine(m);
            TensorInfo t = m.tensor("blk.0.ffn_down.weight").orElseThrow(); // ne = [172, 64]: 64 rows of 172
            assertEquals(172, t.shape().rowLength());
            ChannelRanges cr = engine.channelRanges(t, ProgressMonitor.NONE);
            assertRowsMatch(Decoders.decodeAll(t), 172, cr);
            assertEquals(64, cr.channels());
        }
        // row-major, rows longer than a chunk, so each row is decoded in pieces
        Random r = new Random(3);
        float[] x = new float[3 * 70_000];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (1 + i / 70_000);
        x[5] = Float.NaN;
        byte[] bytes = new byte[x.length * 4];
        MemorySegment seg = MemorySegment.ofArray(bytes);
        for (int i = 0; i < x.length; i++) seg.setAtIndex(dev.quantscope.tensor.Layouts.F32, i, x[i]);
        TensorInfo rm = new TensorInfo("fc1.weight", Shape.rowMajor(3, 70_000), DType.F32, bytes.length, seg);
        ChannelRanges cr = new StatsEngine(model(rm), 2).channelRanges(rm, ProgressMonitor.NONE);
        assertEquals(3, cr.channels());
        assertRowsMatch(x, 70_000, cr);
    }

    private static void assertRowsMatch(float[] x, int rowLength, ChannelRanges cr) {
        for (int row = 0; row < cr.channels(); row++) {
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            for (int i = row * rowLength; i < (row + 1) * rowLength; i++) {
                if (Float.isNaN(x[i])) continue;
                mn = Math.min(mn, x[i]);
                mx = Math.max(mx, x[i]);
            }
            assertEquals(mn, cr.min()[row], 0, "row " + row);
            assertEquals(mx, cr.max()[row], 0, "row " + row);
            assertEquals(Math.max(-mn, mx), cr.absMax()[row], 0, "row " + row);
        }
    }

    @Test
    void cancellationStopsPromptlyAndIsNeverCached() {
        float[] x = new float[1_000_000];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        TensorInfo t = f32("big", x, 1000, 1000);
        StatsEngine engine = new StatsEngine(model(t), 2);
        AtomicLong reports = new AtomicLong();
        ProgressMonitor cancelAfterThree = new ProgressMonitor() {
            @Override public void progress(long done, long total) { reports.incrementAndGet(); }
            @Override public boolean isCancelled() { return reports.get() >= 3; }
        };
        assertThrows(CancellationException.class, () -> engine.stats(t, cancelAfterThree));
        // 31 chunks per pass, 3 passes: stopping promptly means far fewer than 93 chunks were done
        assertTrue(reports.get() < 10, "stopped after " + reports.get() + " chunks");
        assertFalse(engine.isCached("big", "stats"));
        assertThrows(CancellationException.class, () -> engine.histogram(t, 10, cancelAfterThree));
        assertThrows(CancellationException.class, () -> engine.channelRanges(t, cancelAfterThree));

        AtomicLong last = new AtomicLong();
        TensorStats s = engine.stats(t, new ProgressMonitor() {
            @Override public void progress(long done, long total) {
                assertTrue(done <= total);
                last.set(done == total ? 1 : 0);
            }
            @Override public boolean isCancelled() { return false; }
        });
        assertEquals(1, last.get(), "progress ends at total");
        assertMatches(NaiveStats.of(x), s, "after cancel");
        assertTrue(engine.isCached("big", "stats"));
        engine.close();
    }

    @Test
    void concurrentRequestsComputeOnceAndShareTheResult() throws Exception {
        float[] x = new float[600_000];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        TensorInfo t = f32("shared", x, 600, 1000);
        StatsEngine engine = new StatsEngine(model(t), 2);
        int callers = 4;
        AtomicLong[] reports = new AtomicLong[callers];
        TensorStats[] results = new TensorStats[callers];
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        Thread[] threads = new Thread[callers];
        for (int i = 0; i < callers; i++) {
            int me = i;
            reports[i] = new AtomicLong();
            threads[i] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                results[me] = engine.stats(t, new ProgressMonitor() {
                    @Override public void progress(long done, long total) { reports[me].incrementAndGet(); }
                    @Override public boolean isCancelled() { return false; }
                });
            });
        }
        start.countDown();
        for (Thread th : threads) th.join();
        int computed = 0;
        for (int i = 0; i < callers; i++) {
            assertSame(results[0], results[i], "every caller gets the one cached result");
            if (reports[i].get() > 0) computed++;
        }
        assertEquals(1, computed, "exactly one caller computed");
        assertSame(results[0], engine.stats(t, ProgressMonitor.NONE));
        engine.clearCache();
        TensorStats again = engine.stats(t, ProgressMonitor.NONE);
        assertNotSame(results[0], again);
        assertEquals(results[0], again, "recomputing gives identical figures");
        engine.close();
    }

    @Test
    void undecodableTypesFailClearly() {
        byte[] raw = new byte[18 * 4];
        TensorInfo t = new TensorInfo("blk.0.attn_q.weight", Shape.ggml(32, 4), DType.Q4_0_4_4, raw.length,
                MemorySegment.ofArray(raw));
        StatsEngine engine = new StatsEngine(model(t));
        NotDecodableException e = assertThrows(NotDecodableException.class,
                () -> engine.stats(t, ProgressMonitor.NONE));
        assertTrue(e.getMessage().contains("not decodable") && e.getMessage().contains("Q4_0_4_4"), e.getMessage());
        assertThrows(NotDecodableException.class, () -> engine.histogram(t, 10, ProgressMonitor.NONE));
        assertThrows(NotDecodableException.class, () -> engine.channelRanges(t, ProgressMonitor.NONE));
    }

    @Test
    void blockTypesAreStreamedInWholeBlocks() {
        // Q8_0 layout (f16 scale + 32 int8), decoded by a test decoder that rejects any chunk not made of whole
        // blocks: the engine must only ever ask for block-aligned ranges.
        int blocks = 5000; // 160,000 elements: several chunks on the decoded path
        byte[] raw = new byte[blocks * 34];
        MemorySegment seg = MemorySegment.ofArray(raw);
        Random r = new Random(11);
        for (int b = 0; b < blocks; b++) {
            seg.set(dev.quantscope.tensor.Layouts.I16, b * 34L, Float.floatToFloat16((float) (0.01 + r.nextDouble() * 0.02)));
            for (int i = 0; i < 32; i++) raw[b * 34 + 2 + i] = (byte) (r.nextInt(255) - 127);
        }
        dev.quantscope.tensor.ElementDecoder q8 = (s, first, dst, off, n) -> {
            assertEquals(0, first % 32, "chunk start on a block boundary");
            assertEquals(0, n % 32, "chunk of whole blocks");
            for (int i = 0; i < n; i++) {
                long e = first + i, block = e / 32;
                float d = Float.float16ToFloat(s.get(dev.quantscope.tensor.Layouts.I16, block * 34));
                dst[off + i] = d * s.get(dev.quantscope.tensor.Layouts.I8, block * 34 + 2 + e % 32);
            }
        };
        TensorInfo t = new TensorInfo("blk.0.attn_v.weight", Shape.ggml(320, 500), DType.Q8_0, raw.length, seg);
        float[] all = new float[320 * 500];
        q8.decode(seg, 0, all, 0, all.length);
        try (var pool = new java.util.concurrent.ForkJoinPool(2)) {
            ChunkRunner runner = new ChunkRunner(pool);
            TensorStats s = DecodedPasses.stats(t, q8, runner,
                    new ChunkRunner.Progress(ProgressMonitor.NONE, t.parameters(), 3));
            assertMatches(NaiveStats.of(all), s, "Q8_0");
            ChannelRanges cr = ChannelPass.compute(t, q8, runner,
                    new ChunkRunner.Progress(ProgressMonitor.NONE, t.parameters(), 1));
            assertRowsMatch(all, 320, cr);
        }
    }

    @Test
    void emptyAndAllNonFiniteTensorsReportCountsAndNaN() {
        TensorInfo empty = f32("empty", new float[0], 0);
        float[] bad = new float[70_000];
        for (int i = 0; i < bad.length; i++) bad[i] = i % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
        TensorInfo nan32 = f32("nan32", bad, bad.length);
        TensorInfo nan16 = f16("nan16", bad, bad.length);
        StatsEngine engine = new StatsEngine(model(empty, nan32, nan16));
        TensorStats e = engine.stats(empty, ProgressMonitor.NONE);
        assertEquals(0, e.count());
        assertTrue(Double.isNaN(e.mean()) && Double.isNaN(e.p50()));
        assertEquals(0, engine.histogram(empty, 5, ProgressMonitor.NONE).total());
        for (TensorInfo t : new TensorInfo[] {nan32, nan16}) {
            TensorStats s = engine.stats(t, ProgressMonitor.NONE);
            assertEquals(70_000, s.count(), t.name());
            assertEquals(70_000, s.nanCount(), t.name());
            assertTrue(Double.isNaN(s.min()) && Double.isNaN(s.std()) && Double.isNaN(s.p99_9()), t.name());
            assertEquals(0, engine.histogram(t, 8, ProgressMonitor.NONE).total(), t.name());
            assertTrue(Float.isNaN(engine.channelRanges(t, ProgressMonitor.NONE).max()[0]), t.name());
        }
    }
}
