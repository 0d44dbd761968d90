package dev.quantscope.eval.sweep;

import dev.quantscope.engine.llama.KvCacheType;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.Sampler;
import dev.quantscope.format.Model;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Speed of an open model, the way {@code quantscope bench MODEL} measures it, like llama-bench's pp and tg tests: a
 * prompt of random tokens in one batch from an empty cache, and greedy generation one token at a time, also from an
 * empty cache. Warm-up runs first let the JIT compile the kernels of this model's dtypes (until the JIT is idle and
 * runs stop getting faster) and touch the weights; then the run is repeated (up to {@value #MAX_RUNS} times or
 * {@value #MIN_NANOS} ns) and each phase's median kept.
 */
public final class LatencyProbe {
    private LatencyProbe() {}

    /** Timed runs stop after this much time or this many runs, whichever comes first (at least one run). */
    private static final long MIN_NANOS = 200_000_000L;
    private static final int MAX_RUNS = 15;

    public static Latency measure(Model model, int promptTokens, int generatedTokens, int threads) {
        return measure(model, promptTokens, generatedTokens, threads, KvCacheType.F32, 1);
    }

    /**
     * As {@link #measure(Model, int, int, int)} with the given KV cache and at least {@code minRuns} timed runs
     * (the medians are reported): {@code quantscope bench MODEL} asks for several, as llama-bench repeats its
     * tests, since one run of a large model is well past the time limit that otherwise ends the repetitions.
     */
    public static Latency measure(Model model, int promptTokens, int generatedTokens, int threads, KvCacheType cache,
                                  int minRuns) {
        return probe(model, promptTokens, generatedTokens, threads, cache, minRuns).latency();
    }

    /**
     * A measurement and what each phase's timed runs allocated per token: a diagnostic of the JIT's work. The
     * engine's token loop allocates nothing itself, so bytes here are vectors the JIT left boxed on the heap (a
     * kernel compiled past C2's size limits, or from an immature profile), and the speeds read lower for it.
     *
     * @param promptBytesPerToken     bytes the whole JVM allocated during the prompt runs, per prompt token; NaN
     *                                where the JVM does not count allocations or the phase did not run
     * @param generationBytesPerToken the same for generation, per generated token
     */
    public record Probe(Latency latency, double promptBytesPerToken, double generationBytesPerToken) {}

    /** {@link #measure(Model, int, int, int, KvCacheType, int)} with the timed runs' allocation. */
    public static Probe probe(Model model, int promptTokens, int generatedTokens, int threads, KvCacheType cache,
                              int minRuns) {
        return around(model, promptTokens, generatedTokens, threads, cache, minRuns, null).probe();
    }

    /** A speed measured in two halves, and what ran between them. */
    public record Around<T>(Latency latency, T between) {}

    /**
     * Measures in two halves with {@code between} run in the middle (the engine kept), and reports the medians and
     * spreads of both halves' runs together. One half's runs follow each other within a fraction of a second, so
     * their spread misses what changes over seconds: the load of other processes, the JIT's work. Timed again
     * after {@code between} (a sweep's accuracy pass, seconds on a small model), a point's spread takes that in.
     */
    public static <T> Around<T> measureAround(Model model, int promptTokens, int generatedTokens, int threads,
                                              int minRunsPerHalf, java.util.function.Supplier<T> between) {
        java.util.Objects.requireNonNull(between);
        Measured<T> m = around(model, promptTokens, generatedTokens, threads, KvCacheType.F32, minRunsPerHalf, between);
        return new Around<>(m.probe().latency(), m.between());
    }

    private record Measured<T>(Probe probe, T between) {}

    /** One half of timed runs, or two with {@code between} (when not null) run after the first. */
    private static <T> Measured<T> around(Model model, int promptTokens, int generatedTokens, int threads,
                                          KvCacheType cache, int minRuns, java.util.function.Supplier<T> between) {
        if (promptTokens < 0 || generatedTokens < 0 || promptTokens + generatedTokens < 1) {
            throw new IllegalArgumentException("need a prompt or generated tokens (got " + promptTokens + " and "
                    + generatedTokens + ")");
        }
        if (minRuns < 1) throw new IllegalArgumentException("need at least one run: " + minRuns);
        try (LlamaEngine engine = new LlamaEngine(model, Math.addExact(promptTokens, generatedTokens), threads,
                Math.max(1, Math.min(promptTokens, 128)), cache)) {
            int vocab = engine.config().vocab();
            int[] prompt = new int[promptTokens];
            SplittableRandom random = new SplittableRandom(1234); // the same prompt for every point
            for (int i = 0; i < promptTokens; i++) prompt[i] = random.nextInt(vocab);
            Set<DType> types = EnumSet.noneOf(DType.class);
            for (TensorInfo t : model.tensors()) types.add(t.dtype());
            // Marked warm only after a warm-up that saw the JIT go quiet: one cut short by the time limit may have
            // left the kernels uncompiled (the GUI keeps the JIT busy), and the next probe must wait for it again.
            if (warmUp(engine, prompt, generatedTokens, WARMED.containsAll(types))) WARMED.addAll(types);
            List<long[]> runs = timedRuns(engine, prompt, generatedTokens, minRuns);
            T result = null;
            if (between != null) {
                result = between.get();
                // The kernels are compiled; only let the speed settle after the other work.
                warmUp(engine, prompt, generatedTokens, true);
                runs.addAll(timedRuns(engine, prompt, generatedTokens, minRuns));
            }
            long pp = median(runs, 0), tg = median(runs, 1);
            return new Measured<>(new Probe(new Latency(rate(promptTokens, pp), rate(generatedTokens, tg), promptTokens,
                    generatedTokens, engine.threads(), spread(runs, 0, promptTokens), spread(runs, 1, generatedTokens)),
                    perToken(runs, 2, promptTokens), perToken(runs, 3, generatedTokens)), result);
        }
    }

    /**
     * A small model runs in a millisecond, where a pause of the JIT or of a neighbour's process would be the whole
     * figure: repeat for a while (the median of each phase is kept).
     */
    private static List<long[]> timedRuns(LlamaEngine engine, int[] prompt, int generated, int minRuns) {
        List<long[]> runs = new ArrayList<>();
        long spent = 0;
        do {
            long[] nanos = timeRun(engine, prompt, generated);
            runs.add(nanos);
            spent += nanos[0] + nanos[1];
        } while (runs.size() < minRuns || (runs.size() < MAX_RUNS && spent < MIN_NANOS));
        return runs;
    }

    /** The dtypes whose kernels a warm-up in this JVM has already run. */
    private static final Set<DType> WARMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Warm-up ends once the JIT has compiled nothing for this long and no run has been 5 % faster than the best
     * so far for as long, or after the longest. The longest was 4 s, and on two cores shared with other work the
     * JIT had not compiled a K-quant's kernels by then: the first point of a sweep in the GUI read 11 tokens/s
     * (Q6_K on stories260K, ± 54 % over its runs) beside 3,600 for a later one. The JIT is done in a few
     * seconds when it gets the cores, so the limit only bites when it does not.
     */
    private static final long WARM_QUIET_NANOS = 300_000_000L, WARM_MAX_NANOS = 20_000_000_000L;

    /**
     * Runs until the JIT is done and the speed stops improving; true if it ended that way (with the JIT's compile
     * time watched, or the kernels known warm), false if the time limit cut it short. The JIT compiles a model's
     * vector kernels in the background over a second or more (longer while the GUI keeps it busy), and a small
     * model finishes a run in milliseconds, so a fixed warm-up measured the first point of a sweep still in
     * interpreted code (seen: 860 against 5,300 tokens/s for the same model in the GUI).
     */
    private static boolean warmUp(LlamaEngine engine, int[] prompt, int generated, boolean kernelsWarm) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        // Once this JVM has run kernels of every dtype the model has, they are compiled; other compilations (the
        // GUI's) need not be waited out, only the speed settling.
        boolean jitTime = !kernelsWarm && jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime(), quietSince = start, best = Long.MAX_VALUE;
        long compiled = jitTime ? jit.getTotalCompilationTime() : 0;
        while (true) {
            long[] nanos = timeRun(engine, prompt, generated);
            long total = nanos[0] + nanos[1], now = System.nanoTime();
            long compiledNow = jitTime ? jit.getTotalCompilationTime() : 0;
            if (total < best * 0.95 || compiledNow != compiled) quietSince = now;
            best = Math.min(best, total);
            compiled = compiledNow;
            if (now - quietSince >= WARM_QUIET_NANOS) return jitTime || kernelsWarm;
            if (now - start >= WARM_MAX_NANOS) return false;
        }
    }

    /** Bytes the JVM's threads have allocated so far (com.sun.management's count), or -1 where it is not kept. */
    private static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
            return t.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** A phase's allocated bytes per token over all runs; NaN when not counted or the phase did not run. */
    private static double perToken(List<long[]> runs, int column, int tokens) {
        long sum = 0;
        for (long[] r : runs) {
            if (r[column] < 0) return Double.NaN;
            sum += r[column];
        }
        return tokens == 0 ? Double.NaN : sum / ((double) runs.size() * tokens);
    }

    /** Tokens per second, NaN for a phase that did not run. */
    private static double rate(int tokens, long nanos) {
        return tokens == 0 ? Double.NaN : tokens * 1e9 / Math.max(1, nanos);
    }

    /** Quartiles of one phase's per-run speeds. */
    private static RateSpread spread(List<long[]> runs, int phase, int tokens) {
        return RateSpread.of(runs.stream().mapToDouble(r -> rate(tokens, r[phase])).toArray());
    }

    private static long median(List<long[]> runs, int phase) {
        long[] v = runs.stream().mapToLong(r -> r[phase]).sorted().toArray();
        return v[v.length / 2];
    }

    /**
     * {prompt nanos, generation nanos, prompt bytes allocated, generation bytes allocated (-1: not counted)}:
     * llama-bench's two tests. The prompt is one batch from an empty cache (pp); generation is a test of its own,
     * also from an empty cache (tg: positions 0 to generated - 1, starting from the prompt's first token, or token
     * 0 without one). llama-bench clears the cache before each test and
     * runs its tg test without a prompt, so generating after the prompt (attention over 128 more positions) read
     * about a tenth slower than the figures it is compared with.
     */
    private static long[] timeRun(LlamaEngine engine, int[] prompt, int generated) {
        long b0 = allocatedBytes();
        long t0 = System.nanoTime();
        if (prompt.length > 0) engine.forwardBatch(prompt, 0, prompt.length, 0, prompt.length - 1, (i, l) -> { });
        long t1 = System.nanoTime();
        long b1 = allocatedBytes();
        // positions from 0 again: each step writes the cache entry it then attends to, so what the prompt left
        // in the cache is never read
        int token = prompt.length > 0 ? prompt[0] : 0;
        for (int i = 0; i < generated; i++) token = Sampler.argmax(engine.forward(token, i));
        long t2 = System.nanoTime();
        long b2 = allocatedBytes();
        boolean counted = b0 >= 0;
        return new long[] {t1 - t0, t2 - t1, counted ? b1 - b0 : -1, counted ? b2 - b1 : -1};
    }
}
