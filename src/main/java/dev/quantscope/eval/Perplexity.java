package dev.quantscope.eval;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.task.ProgressMonitor;

/** Perplexity of a token stream, computed the way llama.cpp's llama-perplexity does (see {@link Windows}). */
public final class Perplexity {
    private Perplexity() {}

    /**
     * @param tokens the whole text tokenized, BOS first when the model takes one
     * @param bos    BOS token id put at the start of every window, or -1 for models without BOS
     */
    public static PerplexityResult compute(LlamaEngine engine, int[] tokens, int nCtx, int bos, ProgressMonitor monitor) {
        if (engine.contextSize() < nCtx) throw new IllegalArgumentException("engine context " + engine.contextSize() + " < " + nCtx);
        Windows windows = new Windows(tokens, nCtx, bos);
        int[] window = new int[nCtx];
        double[] sums = new double[2]; // nll, nll²
        for (int i = 0; i < windows.count(); i++) {
            monitor.checkCancelled();
            windows.window(i, window);
            engine.forwardBatch(window, 0, nCtx, 0, windows.first(), (pos, logits) -> {
                if (pos >= nCtx - 1) return;
                double nll = -LogProbs.logProb(logits, window[pos + 1]);
                sums[0] += nll;
                sums[1] += nll * nll;
            });
            monitor.progress(i + 1, windows.count());
        }
        long count = (long) windows.count() * windows.scoredPerWindow();
        double mean = sums[0] / count;
        double ppl = Math.exp(mean);
        double variance = sums[1] / count - mean * mean;
        double error = variance > 0 && count > 1 ? Math.sqrt(variance / (count - 1)) * ppl : 0;
        return new PerplexityResult(ppl, error, count, windows.count());
    }
}
