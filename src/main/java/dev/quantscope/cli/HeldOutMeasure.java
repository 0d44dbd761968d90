package dev.quantscope.cli;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.eval.KlDivergence;
import dev.quantscope.eval.KlDivergenceResult;
import dev.quantscope.eval.Perplexity;
import dev.quantscope.eval.PerplexityResult;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;

/**
 * KL divergence and perplexity of models against the dense one on held-out text, with {@code quantscope eval}'s
 * definitions ({@link KlDivergence}: llama-perplexity's windows, the second half of each scored). The dense model's
 * log-probabilities are computed once and every model is compared with them. It lives here, above both eval and
 * distill, which as siblings do not use each other.
 */
final class HeldOutMeasure {
    private final KlDivergence.Reference reference;
    private final PerplexityResult dense;
    private final int nCtx, threads;

    /**
     * Runs the dense model over the held-out tokens: its perplexity as {@code eval} alone gives it (the reference's
     * PPL(base) goes through llama.cpp's 16-bit form, which reads about 1 % lower on stories260K), and its stored
     * log-probabilities.
     */
    HeldOutMeasure(Model dense, int[] heldOut, int nCtx, int bos, int threads, ProgressMonitor monitor) {
        this.nCtx = nCtx;
        this.threads = threads;
        try (LlamaEngine engine = new LlamaEngine(dense, nCtx, threads)) {
            this.dense = Perplexity.compute(engine, heldOut, nCtx, bos, new ProgressSlice(monitor, 0, 1, 2));
            this.reference = KlDivergence.reference(engine, heldOut, nCtx, bos, new ProgressSlice(monitor, 1, 1, 2));
        }
    }

    PerplexityResult dense() { return dense; }

    /** The model's figures against the dense model (its own PPL is {@code ppl()}). */
    KlDivergenceResult measure(Model model, ProgressMonitor monitor) {
        try (LlamaEngine engine = new LlamaEngine(model, nCtx, threads)) {
            return KlDivergence.compute(reference, engine, monitor);
        }
    }
}
