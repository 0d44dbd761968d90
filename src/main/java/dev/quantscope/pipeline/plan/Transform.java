package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.SparsityRule;

import java.util.Objects;

/** One step of what a tensor goes through, in order: pruned, then quantized (later, distilled). */
public sealed interface Transform {

    /** Short text for tables and legends: "wanda 2:4", "Q4_K". */
    String label();

    /** Weights set to zero as {@code sparsity} says. */
    record Prune(SparsityRule sparsity) implements Transform {
        public Prune {
            Objects.requireNonNull(sparsity);
        }

        @Override
        public String label() { return sparsity.label(); }
    }

    /** Stored with {@code scheme}. */
    record Quantize(QuantScheme scheme) implements Transform {
        public Quantize {
            Objects.requireNonNull(scheme);
        }

        @Override
        public String label() { return scheme.label(); }
    }
}
