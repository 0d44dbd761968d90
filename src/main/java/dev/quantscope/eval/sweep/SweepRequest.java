package dev.quantscope.eval.sweep;

import dev.quantscope.pipeline.prune.PruneCalibration;

import java.util.List;
import java.util.Objects;

/**
 * What to sweep and how to measure it.
 *
 * @param schemes         the choices, measured and delivered in this order
 * @param text            the text accuracy is measured on (tokenized with the model's tokenizer, BOS first)
 * @param ctx             window size in tokens (llama-perplexity's n_ctx)
 * @param chunks          at most this many windows of the text (0: every full window)
 * @param promptTokens    prompt length of the latency run
 * @param generatedTokens generated tokens of the latency run
 * @param threads         engine threads
 * @param imatrix         an importance matrix to measure every scheme with as well ({@link ImatrixSource#NONE}: none)
 * @param calibration     what Wanda and SparseGPT points prune from ({@link SweepScheme.Pruned}); a text other
 *                        than {@code text}, so a pruned model is not measured on the tokens it was fitted to
 */
public record SweepRequest(List<SweepScheme> schemes, String text, int ctx, int chunks, int promptTokens,
                           int generatedTokens, int threads, ImatrixSource imatrix, PruneCalibration calibration) {

    public static final int DEFAULT_PROMPT_TOKENS = 64;
    public static final int DEFAULT_GENERATED_TOKENS = 16;

    public SweepRequest {
        schemes = List.copyOf(schemes);
        Objects.requireNonNull(text);
        if (ctx < 4) throw new IllegalArgumentException("context must be at least 4 tokens, got " + ctx);
        if (chunks < 0) throw new IllegalArgumentException("chunks must not be negative");
        if (promptTokens < 1 || generatedTokens < 1) throw new IllegalArgumentException("latency run needs tokens");
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        Objects.requireNonNull(imatrix);
        Objects.requireNonNull(calibration);
    }

    /** Without a pruning calibration. */
    public SweepRequest(List<SweepScheme> schemes, String text, int ctx, int chunks, int promptTokens,
                        int generatedTokens, int threads, ImatrixSource imatrix) {
        this(schemes, text, ctx, chunks, promptTokens, generatedTokens, threads, imatrix, PruneCalibration.NONE);
    }

    /** Without an importance matrix. */
    public SweepRequest(List<SweepScheme> schemes, String text, int ctx, int chunks, int promptTokens,
                        int generatedTokens, int threads) {
        this(schemes, text, ctx, chunks, promptTokens, generatedTokens, threads, ImatrixSource.NONE);
    }

    /** Every full window of {@code text}, a short latency run, all cores. */
    public static SweepRequest of(List<SweepScheme> schemes, String text, int ctx) {
        return new SweepRequest(schemes, text, ctx, 0, DEFAULT_PROMPT_TOKENS, DEFAULT_GENERATED_TOKENS,
                Runtime.getRuntime().availableProcessors());
    }

    public SweepRequest withChunks(int n) {
        return new SweepRequest(schemes, text, ctx, n, promptTokens, generatedTokens, threads, imatrix, calibration);
    }

    public SweepRequest withThreads(int n) {
        return new SweepRequest(schemes, text, ctx, chunks, promptTokens, generatedTokens, n, imatrix, calibration);
    }

    public SweepRequest withLatencyRun(int prompt, int generated) {
        return new SweepRequest(schemes, text, ctx, chunks, prompt, generated, threads, imatrix, calibration);
    }

    /** Every scheme also measured with {@code source}'s importance matrix. */
    public SweepRequest withImatrix(ImatrixSource source) {
        return new SweepRequest(schemes, text, ctx, chunks, promptTokens, generatedTokens, threads, source, calibration);
    }

    /** Wanda and SparseGPT points prune from {@code c}. */
    public SweepRequest withCalibration(PruneCalibration c) {
        return new SweepRequest(schemes, text, ctx, chunks, promptTokens, generatedTokens, threads, imatrix, c);
    }

    /** Whether any scheme prunes: its speed then needs {@link SweepScheme.Pruned#SPEED_NOTE}. */
    public boolean prunes() { return schemes.stream().anyMatch(s -> s instanceof SweepScheme.Pruned); }

    /** Whether each scheme is measured with an importance matrix too. */
    public boolean weighted() { return !(imatrix instanceof ImatrixSource.None); }
}
