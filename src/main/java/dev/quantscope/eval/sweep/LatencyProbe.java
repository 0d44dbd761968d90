package dev.quantscope.eval.sweep;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.llama.Sampler;
import dev.quantscope.format.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Speed of an open model, the way {@code quantscope bench MODEL} measures it: a prompt of random tokens in one
 * batch from an empty cache, then greedy generation one token at a time. A warm-up run first lets the JIT compile
 * the kernels of this model's dtypes and touches the weights once; then the run is repeated (up to
 * {@value #MAX_RUNS} times or {@value #MIN_NANOS} ns) and each phase's median kept.
 */
public final class LatencyProbe {
    private LatencyProbe() {}

    /** Timed runs stop after this much time or this many runs, whichever comes first (at least one run). */
    private static final long MIN_NANOS = 200_000_000L;
    private static final int MAX_RUNS = 15;

    public static Latency measure(Model model, int promptTokens, int generatedTokens, int threads) {
        if (promptTokens < 1 || generatedTokens < 1) throw new IllegalArgumentException("need at least one prompt and one generated token");
        try (LlamaEngine engine = new LlamaEngine(model, Math.addExact(promptTokens, generatedTokens), threads,
                Math.min(promptTokens, 128))) {
            int vocab = engine.config().vocab();
            int[] prompt = new int[promptTokens];
            SplittableRandom random = new SplittableRandom(1234); // the same prompt for every point
            for (int i = 0; i < promptTokens; i++) prompt[i] = random.nextInt(vocab);
            timeRun(engine, prompt, generatedTokens);
            // A small model runs in a millisecond, where a pause of the JIT or of a neighbour's process would be
            // the whole figure: repeat for a while and keep the median of each phase.
            List<long[]> runs = new ArrayList<>();
            long spent = 0;
            do {
                long[] nanos = timeRun(engine, prompt, generatedTokens);
                runs.add(nanos);
                spent += nanos[0] + nanos[1];
            } while (runs.size() < MAX_RUNS && spent < MIN_NANOS);
            long pp = median(runs, 0), tg = median(runs, 1);
            return new Latency(promptTokens * 1e9 / Math.max(1, pp), generatedTokens * 1e9 / Math.max(1, tg),
                    promptTokens, generatedTokens, engine.threads());
        }
    }

    private static long median(List<long[]> runs, int phase) {
        long[] v = runs.stream().mapToLong(r -> r[phase]).sorted().toArray();
        return v[v.length / 2];
    }

    /** {prompt nanos, generation nanos}. */
    private static long[] timeRun(LlamaEngine engine, int[] prompt, int generated) {
        float[][] last = new float[1][];
        long t0 = System.nanoTime();
        engine.forwardBatch(prompt, 0, prompt.length, 0, prompt.length - 1, (i, l) -> last[0] = l);
        long t1 = System.nanoTime();
        float[] logits = last[0];
        for (int i = 0; i < generated; i++) logits = engine.forward(Sampler.argmax(logits), prompt.length + i);
        long t2 = System.nanoTime();
        return new long[] {t1 - t0, t2 - t1};
    }
}
