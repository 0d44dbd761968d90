package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.SparsityRule;

import java.util.Objects;

/** One step of what a tensor goes through, in order: pruned, then quantized (later, distilled). */
public sealed interface Transform {

    /** Weights set to zero as {@code sparsity} says. */
    record Prune(SparsityRule sparsity) implements Transform {
        public Prune {
            Objects.requireNonNull(sparsity);
        }
    }

    /** Stored with {@code scheme}. */
    record Quantize(QuantScheme scheme) implements Transform {
        public Quantize {
            Objects.requireNonNull(scheme);
        }
    }
}
