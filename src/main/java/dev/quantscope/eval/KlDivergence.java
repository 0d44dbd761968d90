package dev.quantscope.eval;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.task.ProgressMonitor;

import java.util.Arrays;

/**
 * KL divergence of a model against a base model, window by window over the same tokens, with llama-perplexity's
 * definitions. Both models run here, so no logits file is written; but the base's log-probabilities go through
 * the same 16-bit form llama.cpp stores them in (per token: a scale and an offset spanning the top 16 nats, then
 * one uint16 per vocabulary entry; entries below that floor are dropped from the sum). That form bounds the
 * base's precision to ~1e-4 nats and is part of how llama.cpp's published figures are computed, so we reproduce it
 * rather than use exact base values.
 */
public final class KlDivergence {
    private KlDivergence() {}

    /** The 16-bit span llama.cpp keeps below the top logit, in nats. */
    private static final float SPAN = 16f;

    public static KlDivergenceResult compute(LlamaEngine base, LlamaEngine model, int[] tokens, int nCtx, int bos,
                                             ProgressMonitor monitor) {
        if (base.config().vocab() != model.config().vocab()) {
            throw new IllegalArgumentException("vocabularies differ: " + base.config().vocab() + " vs " + model.config().vocab());
        }
        if (base.contextSize() < nCtx || model.contextSize() < nCtx) throw new IllegalArgumentException("engine context < " + nCtx);
        Windows windows = new Windows(tokens, nCtx, bos);
        int vocab = model.config().vocab();
        int scored = windows.scoredPerWindow(), first = windows.first();
        char[][] baseQuant = new char[scored][vocab];
        float[] baseScale = new float[scored], baseMin = new float[scored];
        int total = Math.multiplyExact(windows.count(), scored);
        float[] klds = new float[total];
        Sums s = new Sums();
        int[] window = new int[nCtx];
        for (int w = 0; w < windows.count(); w++) {
            monitor.checkCancelled();
            windows.window(w, window);
            base.forwardBatch(window, 0, nCtx, 0, first, (pos, logits) -> {
                if (pos < nCtx - 1) storeBase(logits, baseQuant[pos - first], baseScale, baseMin, pos - first);
            });
            int offset = w * scored;
            model.forwardBatch(window, 0, nCtx, 0, first, (pos, logits) -> {
                if (pos >= nCtx - 1) return;
                int j = pos - first;
                klds[offset + j] = compare(logits, baseQuant[j], baseScale[j], baseMin[j], window[pos + 1], s);
            });
            monitor.progress(w + 1, windows.count());
        }
        return result(s, klds, windows.count());
    }

    /**
     * The base model's log-probabilities over a text, stored once in the 16-bit form, to compare several models
     * against (a sweep): each comparison then runs only the model, not the base again. It holds
     * windows × scored tokens × vocabulary 16-bit values ({@link #referenceBytes}), so it suits small vocabularies
     * or short texts; {@link #compute(LlamaEngine, LlamaEngine, int[], int, int, ProgressMonitor)} needs one
     * window's worth only.
     */
    public static final class Reference {
        private final Windows windows;
        private final int vocab;
        private final char[][] quant;
        private final float[] scale, min;

        private Reference(Windows windows, int vocab) {
            this.windows = windows;
            this.vocab = vocab;
            int rows = Math.multiplyExact(windows.count(), windows.scoredPerWindow());
            this.quant = new char[rows][vocab];
            this.scale = new float[rows];
            this.min = new float[rows];
        }

        public int nCtx() { return windows.nCtx(); }

        public int vocab() { return vocab; }

        public int chunks() { return windows.count(); }
    }

    /** Heap bytes a {@link Reference} over {@code tokens} tokens takes (the 16-bit values; the rest is small). */
    public static long referenceBytes(int tokens, int nCtx, int vocab) {
        long scoredPerWindow = nCtx - 1 - nCtx / 2; // as Windows scores them
        return Math.multiplyExact(Math.multiplyExact((long) (tokens / nCtx), scoredPerWindow), 2L * vocab);
    }

    /** Runs the base over the windows of {@code tokens} and keeps its log-probabilities. */
    public static Reference reference(LlamaEngine base, int[] tokens, int nCtx, int bos, ProgressMonitor monitor) {
        if (base.contextSize() < nCtx) throw new IllegalArgumentException("engine context < " + nCtx);
        Windows windows = new Windows(tokens, nCtx, bos);
        Reference ref = new Reference(windows, base.config().vocab());
        int scored = windows.scoredPerWindow(), first = windows.first();
        int[] window = new int[nCtx];
        for (int w = 0; w < windows.count(); w++) {
            monitor.checkCancelled();
            windows.window(w, window);
            int offset = w * scored;
            base.forwardBatch(window, 0, nCtx, 0, first, (pos, logits) -> {
                if (pos < nCtx - 1) storeBase(logits, ref.quant[offset + pos - first], ref.scale, ref.min, offset + pos - first);
            });
            monitor.progress(w + 1, windows.count());
        }
        return ref;
    }

    /** The same figures as {@link #compute(LlamaEngine, LlamaEngine, int[], int, int, ProgressMonitor)}, against a stored base. */
    public static KlDivergenceResult compute(Reference base, LlamaEngine model, ProgressMonitor monitor) {
        if (base.vocab != model.config().vocab()) {
            throw new IllegalArgumentException("vocabularies differ: " + base.vocab + " vs " + model.config().vocab());
        }
        Windows windows = base.windows;
        int nCtx = windows.nCtx();
        if (model.contextSize() < nCtx) throw new IllegalArgumentException("engine context < " + nCtx);
        int scored = windows.scoredPerWindow(), first = windows.first();
        int total = Math.multiplyExact(windows.count(), scored);
        float[] klds = new float[total];
        Sums s = new Sums();
        int[] window = new int[nCtx];
        for (int w = 0; w < windows.count(); w++) {
            monitor.checkCancelled();
            windows.window(w, window);
            int offset = w * scored;
            model.forwardBatch(window, 0, nCtx, 0, first, (pos, logits) -> {
                if (pos >= nCtx - 1) return;
                int j = offset + pos - first;
                klds[j] = compare(logits, base.quant[j], base.scale[j], base.min[j], window[pos + 1], s);
            });
            monitor.progress(w + 1, windows.count());
        }
        return result(s, klds, windows.count());
    }

    private static KlDivergenceResult result(Sums s, float[] klds, int chunks) {
        int total = klds.length;
        long n = s.count;
        Arrays.sort(klds);
        double median = total % 2 == 0 ? 0.5f * (klds[total / 2] + klds[total / 2 - 1]) : klds[total / 2];
        return new KlDivergenceResult(Math.exp(s.nll / n), Math.exp(s.nllBase / n), s.kld / n, median,
                percentile(klds, 0.90f), percentile(klds, 0.99f), klds[total - 1], (double) s.sameTop / n,
                s.pDiff / n, Math.sqrt(s.pDiff2 / n), n, chunks);
    }

    private static final class Sums {
        double nll, nllBase, kld, pDiff, pDiff2;
        long sameTop, count;
    }

    /** Stores the base's log-probabilities in llama.cpp's 16-bit form. */
    private static void storeBase(float[] logits, char[] quant, float[] scales, float[] mins, int j) {
        float max = logits[0], min = logits[0];
        for (float l : logits) {
            max = Math.max(max, l);
            min = Math.min(min, l);
        }
        min = Math.max(min, max - SPAN);
        float logSumExp = (float) Math.log(LogProbs.sumExp(logits, max));
        float scale = (max - min) / 65535f;
        mins[j] = min - max - logSumExp;
        scales[j] = scale;
        if (scale == 0) {
            Arrays.fill(quant, (char) 0);
            return;
        }
        float inv = 1 / scale;
        for (int i = 0; i < logits.length; i++) {
            quant[i] = logits[i] > min ? (char) Math.rint(inv * (logits[i] - min)) : 0;
        }
    }

    /** Accumulates one token's figures and returns its KL divergence. */
    private static float compare(float[] logits, char[] baseQuant, float scale, float minLogProb, int target, Sums s) {
        int imax = 0;
        float max = logits[0];
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > max) {
                max = logits[i];
                imax = i;
            }
        }
        float logSumExp = (float) Math.log(LogProbs.sumExp(logits, max));
        float nll = max + logSumExp - logits[target];
        float nllBase = -(scale * baseQuant[target] + minLogProb);
        s.nll += nll;
        s.nllBase += nllBase;
        float logNorm = max + logSumExp;
        double kld = 0;
        int imaxBase = -1;
        float baseMax = 0;
        for (int i = 0; i < logits.length; i++) {
            float logBase = scale * baseQuant[i] + minLogProb;
            if (i == 0 || logBase > baseMax) {
                baseMax = logBase;
                imaxBase = i;
            }
            if (logBase > -SPAN) {
                float pBase = (float) Math.exp(logBase);
                kld += pBase * (logBase - logits[i] + logNorm);
            }
        }
        s.kld += kld;
        s.count++;
        if (imax == imaxBase) s.sameTop++;
        float pDiff = (float) Math.exp(-nll) - (float) Math.exp(-nllBase);
        s.pDiff += pDiff;
        s.pDiff2 += (double) pDiff * pDiff;
        return (float) kld;
    }

    /** llama.cpp's percentile: linear interpolation between neighbours of the sorted values. */
    static float percentile(float[] sorted, float fraction) {
        if (fraction <= 0) return sorted[0];
        if (fraction >= 1) return sorted[sorted.length - 1];
        float p = fraction * (sorted.length - 1);
        int ip = (int) p;
        p -= ip;
        return (1 - p) * sorted[ip] + p * sorted[Math.min(ip + 1, sorted.length - 1)];
    }
}
