package dev.quantscope.eval;

/**
 * llama-perplexity's split of a token stream: consecutive non-overlapping windows of {@code nCtx} tokens (only
 * full ones), each evaluated from an empty cache with its first token replaced by BOS, scoring the predictions
 * made at positions {@code nCtx/2 … nCtx-2} (targets {@code nCtx/2+1 … nCtx-1}).
 */
record Windows(int[] tokens, int nCtx, int bos) {

    Windows {
        if (nCtx < 4) throw new IllegalArgumentException("context must be at least 4 tokens");
        // llama-perplexity refuses fewer than two windows' worth of tokens.
        if (tokens.length < 2L * nCtx) {
            throw new IllegalArgumentException("the text tokenizes to " + tokens.length + " tokens; need at least "
                    + 2 * nCtx + " for a context of " + nCtx);
        }
    }

    int count() { return tokens.length / nCtx; }

    int first() { return nCtx / 2; }

    /** Tokens scored per window. */
    int scoredPerWindow() { return nCtx - 1 - first(); }

    /** Copies window {@code i} into {@code dst}, BOS first when the model takes one ({@code bos} ≥ 0). */
    void window(int i, int[] dst) {
        System.arraycopy(tokens, i * nCtx, dst, 0, nCtx);
        if (bos >= 0) dst[0] = bos;
    }
}
