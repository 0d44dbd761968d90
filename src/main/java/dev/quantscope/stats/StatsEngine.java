package dev.quantscope.stats;

import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Statistics for the tensors of one open model, streamed in parallel over the mapped bytes and cached per
 * tensor. Thread-safe: concurrent requests for the same figure compute it once; the others wait for it.
 *
 * <p>Precision: min, max, abs max, counts, zero/outlier fractions and the percentiles are exact for the decoded
 * float32 values (percentiles interpolate linearly between order statistics, as {@link Percentiles} defines).
 * Mean, σ and kurtosis are accumulated in double precision with a numerically stable merge (relative error
 * around 1e-12 on real weights). Non-finite values are counted in {@link TensorStats#nanCount()} and left out of
 * every other figure.
 *
 * <p>Two ways to the same figures: types of one or two bytes per element (F16, BF16, FP8, 8/16-bit integers) are
 * counted by raw code in a single pass ({@link CodeTablePath}); every other decodable type is decoded into float
 * chunks and read in three passes ({@link DecodedPasses}).
 */
public final class StatsEngine implements AutoCloseable {
    private final Model model;
    private final ForkJoinPool pool;
    private final boolean ownsPool;
    private final ChunkRunner runner;
    private final ConcurrentHashMap<CacheKey, CompletableFuture<Object>> cache = new ConcurrentHashMap<>();

    /** Uses one pool shared by all engines, with one thread per core. */
    public StatsEngine(Model model) {
        this(model, SharedPool.POOL, false);
    }

    /** Uses its own pool of {@code threads} threads, ended by {@link #close()}. */
    public StatsEngine(Model model, int threads) {
        this(model, new ForkJoinPool(checkThreads(threads)), true);
    }

    private StatsEngine(Model model, ForkJoinPool pool, boolean ownsPool) {
        this.model = model;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.runner = new ChunkRunner(pool);
    }

    private static int checkThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        return threads;
    }

    public Model model() { return model; }

    /** Threads that work on one tensor. */
    public int parallelism() { return runner.parallelism(); }

    /** Summary statistics of every element of {@code t}; cached. */
    public TensorStats stats(TensorInfo t, ProgressMonitor monitor) {
        return cached(new CacheKey(t.name(), "stats", 0), monitor, () -> computeStats(t, monitor));
    }

    /**
     * Computes {@link #stats} without looking at or filling the cache (benchmarks).
     *
     * @throws NotDecodableException when the tensor's dtype has no decoder
     * @throws CancellationException when the monitor is cancelled
     */
    public TensorStats computeStats(TensorInfo t, ProgressMonitor monitor) {
        ElementDecoder decoder = decoderOf(t);
        long n = t.parameters();
        if (CodeTablePath.applies(t.dtype())) {
            ChunkRunner.Progress progress = new ChunkRunner.Progress(monitor, n, 1);
            TensorStats s = CodeTablePath.stats(n, CodeTablePath.count(t, runner, progress));
            progress.finish();
            return s;
        }
        return DecodedPasses.stats(t, decoder, runner, new ChunkRunner.Progress(monitor, n, 3));
    }

    /**
     * A histogram of {@code bins} equal bins over [min, max]; counts sum to the finite element count. When every
     * finite value is the same, the range is widened around it (see {@link Binning#over}) and the value lands in
     * the middle bin. Cached per bin count.
     */
    public Histogram histogram(TensorInfo t, int bins, ProgressMonitor monitor) {
        if (bins < 1) throw new IllegalArgumentException("bins must be at least 1, got " + bins);
        return cached(new CacheKey(t.name(), "histogram", bins), monitor, () -> {
            TensorStats s = stats(t, monitor);
            Binning binning = Binning.over(s.min(), s.max(), bins);
            ElementDecoder decoder = decoderOf(t);
            ChunkRunner.Progress progress = new ChunkRunner.Progress(monitor, t.parameters(), 1);
            if (CodeTablePath.applies(t.dtype())) {
                Histogram h = CodeTablePath.histogram(CodeTablePath.count(t, runner, progress), binning);
                progress.finish();
                return h;
            }
            return DecodedPasses.histogram(t, decoder, binning, runner, progress);
        });
    }

    /** Per-row min, max and absolute max, rows as in {@link dev.quantscope.tensor.Shape#rows()}. */
    public ChannelRanges channelRanges(TensorInfo t, ProgressMonitor monitor) {
        return cached(new CacheKey(t.name(), "channels", 0), monitor, () ->
                ChannelPass.compute(t, decoderOf(t), runner, new ChunkRunner.Progress(monitor, t.parameters(), 1)));
    }

    /** Parameters and bytes by dtype and by layer kind, and average bits per weight. No tensor data is read. */
    public ModelSummary summary() {
        Map<DType, long[]> byDtype = new EnumMap<>(DType.class);
        Map<LayerKind, long[]> byKind = new EnumMap<>(LayerKind.class);
        long params = 0, bytes = 0;
        for (TensorInfo t : model.tensors()) {
            params = Math.addExact(params, t.parameters());
            bytes = Math.addExact(bytes, t.byteSize());
            add(byDtype.computeIfAbsent(t.dtype(), k -> new long[3]), t);
            add(byKind.computeIfAbsent(LayerKind.of(t.name()), k -> new long[3]), t);
        }
        Map<DType, ModelSummary.Totals> dtypes = new LinkedHashMap<>();
        byDtype.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<DType, long[]> e) -> -e.getValue()[2])
                        .thenComparing(Map.Entry::getKey))
                .forEach(e -> dtypes.put(e.getKey(), totals(e.getValue())));
        Map<LayerKind, ModelSummary.Totals> kinds = new LinkedHashMap<>();
        byKind.forEach((k, v) -> kinds.put(k, totals(v)));
        return new ModelSummary(params, bytes, dtypes, kinds);
    }

    /** Drops every cached figure. */
    public void clearCache() { cache.clear(); }

    /** Whether a figure for this tensor is cached (or being computed). */
    boolean isCached(String tensor, String what) {
        CompletableFuture<Object> f = cache.get(new CacheKey(tensor, what, 0));
        return f != null && f.isDone() && !f.isCompletedExceptionally();
    }

    /** Ends the engine's own pool, if it has one; the shared pool lives as long as the application. */
    @Override
    public void close() {
        if (ownsPool) pool.close();
    }

    private static void add(long[] acc, TensorInfo t) {
        acc[0]++;
        acc[1] = Math.addExact(acc[1], t.parameters());
        acc[2] = Math.addExact(acc[2], t.byteSize());
    }

    private static ModelSummary.Totals totals(long[] v) { return new ModelSummary.Totals(v[0], v[1], v[2]); }

    private static ElementDecoder decoderOf(TensorInfo t) {
        return Decoders.find(t.dtype()).orElseThrow(() -> new NotDecodableException(t));
    }

    // ---------------------------------------------------------------- cache

    private record CacheKey(String tensor, String what, int param) {}

    /**
     * Returns the cached value, or computes it once while other callers wait. A failed or cancelled computation
     * is never cached: it is removed, and a waiter that was not itself cancelled takes over and computes.
     */
    @SuppressWarnings("unchecked")
    private <T> T cached(CacheKey key, ProgressMonitor monitor, Supplier<T> compute) {
        while (true) {
            monitor.checkCancelled();
            CompletableFuture<Object> mine = new CompletableFuture<>();
            CompletableFuture<Object> existing = cache.putIfAbsent(key, mine);
            if (existing == null) {
                try {
                    T value = compute.get();
                    mine.complete(value);
                    return value;
                } catch (Throwable e) {
                    cache.remove(key, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
            try {
                return (T) awaitCancellably(existing, monitor);
            } catch (CancellationException e) {
                if (monitor.isCancelled()) throw e;
                // The computing caller was cancelled, not us: try again (and probably compute it ourselves).
            }
        }
    }

    private static Object awaitCancellably(CompletableFuture<Object> f, ProgressMonitor monitor) {
        while (true) {
            try {
                return f.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                monitor.checkCancelled();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private static final class SharedPool {
        static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    }
}
