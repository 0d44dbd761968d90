package dev.quantscope.pipeline.prune;

import dev.quantscope.quant.imatrix.ImatrixFile;

import java.util.Objects;
import java.util.Optional;

/**
 * What the calibrated methods see of the model's activations. SparseGPT needs a text (it updates weights from the
 * inputs' Hessian); Wanda takes a text (run block by block, as its authors do) or an importance matrix, whose sums of
 * x_j² are exactly the input norms it ranks by; magnitude needs neither.
 *
 * @param text        the calibration text, if any
 * @param imatrix     an importance matrix (llama-imatrix format), if any: used by Wanda when there is no text
 * @param contextSize tokens per calibration window (BOS included)
 * @param maxTokens   at most this many tokens of the text are run
 */
public record PruneCalibration(Optional<String> text, Optional<ImatrixFile> imatrix, int contextSize, int maxTokens) {

    /**
     * Windows of 512 tokens (the commands' --ctx default), 8,192 tokens in all: on stories260K, with 2,048 tokens
     * Wanda's 2:4 perplexity came out worse than magnitude's (its input norms were too noisy) and SparseGPT
     * overfitted; from 8,192 on both beat it.
     */
    public static final int DEFAULT_CONTEXT = 512, DEFAULT_TOKENS = 8192;

    public static final PruneCalibration NONE = new PruneCalibration(Optional.empty(), Optional.empty(),
            DEFAULT_CONTEXT, DEFAULT_TOKENS);

    public PruneCalibration {
        Objects.requireNonNull(text);
        Objects.requireNonNull(imatrix);
        if (contextSize < 2) throw new IllegalArgumentException("a calibration window needs at least 2 tokens, got " + contextSize);
        if (maxTokens < 1) throw new IllegalArgumentException("the calibration needs at least 1 token, got " + maxTokens);
    }

    public static PruneCalibration ofText(String text) {
        return NONE.withText(text);
    }

    public PruneCalibration withText(String t) {
        return new PruneCalibration(Optional.of(t), imatrix, contextSize, maxTokens);
    }

    public PruneCalibration withImatrix(ImatrixFile m) {
        return new PruneCalibration(text, Optional.of(m), contextSize, maxTokens);
    }

    public PruneCalibration withWindow(int context, int tokens) {
        return new PruneCalibration(text, imatrix, context, tokens);
    }
}
