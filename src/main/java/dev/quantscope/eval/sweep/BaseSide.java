package dev.quantscope.eval.sweep;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.eval.KlDivergence;
import dev.quantscope.eval.KlDivergenceResult;
import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.util.Arrays;

/**
 * The base model's side of every comparison a sweep or a sensitivity scan makes: the text's tokens, the base's
 * engine and, when it fits in {@value #REFERENCE_LIMIT_BYTES} bytes, its log-probabilities over the text, computed
 * once (above that each comparison runs the base again beside the other model, window by window). The engine and
 * the reference are made only by {@link #prepare}, when a point must be measured, so a sweep answered from the
 * cache runs nothing.
 */
public final class BaseSide implements AutoCloseable {

    /** Largest stored base reference; a 32,000-token vocabulary over ~2,000 scored tokens stays under it. */
    static final long REFERENCE_LIMIT_BYTES = 256L << 20;

    private final Model base;
    private final int[] tokens;
    private final int bos, ctx, threads;
    private LlamaEngine engine;
    private KlDivergence.Reference reference;
    private boolean ready;

    private BaseSide(Model base, int[] tokens, int bos, int ctx, int threads) {
        this.base = base;
        this.tokens = tokens;
        this.bos = bos;
        this.ctx = ctx;
        this.threads = threads;
    }

    /**
     * {@code text} tokenized with the base's tokenizer, cut to {@code chunks} windows of {@code ctx} (0: all).
     * @throws IllegalArgumentException when the text is too short for two windows of {@code ctx}
     */
    public static BaseSide over(Model base, String text, int ctx, int chunks, int threads) throws IOException {
        Tokenizer tokenizer = Tokenizers.forModel(base);
        int[] tokens = tokenizer.encode(text, true);
        // llama.cpp puts BOS at the start of every window exactly when the tokenizer adds one.
        int bos = tokens.length > 0 && tokenizer.specials().addBos() && tokens[0] == tokenizer.bos() ? tokenizer.bos() : -1;
        if (chunks > 0 && (long) chunks * ctx < tokens.length) tokens = Arrays.copyOf(tokens, chunks * ctx);
        if (tokens.length < 2L * ctx) {
            // A sentence the page shows as it is: what is short, and the ways out.
            throw new IllegalArgumentException("The text is " + tokens.length + " tokens long, and a sweep with a "
                    + "context of " + ctx + " tokens needs at least " + 2 * ctx + (chunks > 0
                    ? " in at least 2 chunks" : "") + ": use more of the text or a smaller context.");
        }
        return new BaseSide(base, tokens, bos, ctx, threads);
    }

    public boolean ready() { return ready; }

    /** Starts the base's engine and computes its reference over the text (the one pass over the base). */
    public void prepare(ProgressMonitor monitor) {
        engine = new LlamaEngine(base, ctx, threads);
        long bytes = KlDivergence.referenceBytes(tokens.length, ctx, engine.config().vocab());
        if (bytes <= REFERENCE_LIMIT_BYTES) reference = KlDivergence.reference(engine, tokens, ctx, bos, monitor);
        ready = true;
    }

    /** KL divergence, top-1 agreement and perplexity of {@code other} against the base over the text. */
    public KlDivergenceResult compare(Model other, ProgressMonitor monitor) {
        if (!ready) throw new IllegalStateException("prepare first");
        try (LlamaEngine model = new LlamaEngine(other, ctx, threads)) {
            return reference != null ? KlDivergence.compute(reference, model, monitor)
                    : KlDivergence.compute(engine, model, tokens, ctx, bos, monitor);
        }
    }

    @Override
    public void close() {
        if (engine != null) engine.close();
    }
}
