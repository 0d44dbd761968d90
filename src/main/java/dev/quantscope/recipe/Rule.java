package dev.quantscope.recipe;

import dev.quantscope.quant.scheme.QuantScheme;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of a recipe: tensors whose names match {@code pattern} get {@code scheme} ({@code keep} included), are
 * pruned by {@code sparsity}, or both (pruned first, then quantized). A rule without a scheme leaves the scheme to the
 * next rule that names one, or to the base; a rule without a sparsity leaves the tensor dense unless a later rule
 * prunes it.
 */
public record Rule(TensorPattern pattern, Optional<QuantScheme> scheme, Optional<SparsityRule> sparsity) {
    public Rule {
        Objects.requireNonNull(pattern);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(sparsity);
        if (scheme.isEmpty() && sparsity.isEmpty()) {
            throw new IllegalArgumentException("the rule for " + pattern.text() + " names neither a scheme nor a sparsity");
        }
    }

    public Rule(TensorPattern pattern, QuantScheme scheme) {
        this(pattern, Optional.of(scheme), Optional.empty());
    }

    public static Rule of(String pattern, String schemeId) {
        return new Rule(TensorPattern.parse(pattern), QuantScheme.parse(schemeId));
    }

    /** Prunes the matching tensors and leaves their scheme to the other rules and the base. */
    public static Rule pruning(String pattern, SparsityRule sparsity) {
        return new Rule(TensorPattern.parse(pattern), Optional.empty(), Optional.of(sparsity));
    }
}
