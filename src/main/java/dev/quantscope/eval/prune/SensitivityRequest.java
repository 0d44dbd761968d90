package dev.quantscope.eval.prune;

import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.recipe.SparsityRule;

import java.util.Objects;

/**
 * A per-layer sensitivity scan: each unit pruned alone by {@code sparsity}, the rest of the model dense.
 *
 * @param text        what the KL divergence against the dense model is measured on
 * @param ctx         window size in tokens
 * @param chunks      at most this many windows of the text (0: every full window)
 * @param calibration what Wanda and SparseGPT prune from (another text than {@code text})
 */
public record SensitivityRequest(SparsityRule sparsity, SensitivityUnit unit, String text, int ctx, int chunks,
                                 PruneCalibration calibration, int threads) {
    public SensitivityRequest {
        Objects.requireNonNull(sparsity);
        Objects.requireNonNull(unit);
        Objects.requireNonNull(text);
        Objects.requireNonNull(calibration);
        if (sparsity.pattern().sparsity() == 0) {
            throw new IllegalArgumentException("a sensitivity scan needs a sparsity above 0: at 0 nothing is pruned");
        }
        if (ctx < 4) throw new IllegalArgumentException("context must be at least 4 tokens, got " + ctx);
        if (chunks < 0) throw new IllegalArgumentException("chunks must not be negative");
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
    }
}
