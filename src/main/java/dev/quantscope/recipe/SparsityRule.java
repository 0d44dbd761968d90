package dev.quantscope.recipe;

import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;

import java.util.Objects;

/**
 * What a rule prunes: {@code {"method": "wanda", "pattern": "2:4"}} or {@code {"method": "magnitude", "pattern": "50%",
 * "global": true}}.
 *
 * @param global one magnitude threshold across every tensor the rule matches (the tensors then reach {@code pattern}'s
 *               sparsity together, each its own share), instead of the sparsity in each tensor; unstructured
 *               magnitude only
 */
public record SparsityRule(PruneMethod method, SparsityPattern pattern, boolean global) {
    public SparsityRule {
        Objects.requireNonNull(method);
        Objects.requireNonNull(pattern);
        if (global && (method != PruneMethod.MAGNITUDE || !(pattern instanceof SparsityPattern.Unstructured))) {
            throw new IllegalArgumentException("one global threshold is for unstructured magnitude pruning only, not "
                    + method.id() + " " + pattern.label());
        }
    }

    public SparsityRule(PruneMethod method, SparsityPattern pattern) {
        this(method, pattern, false);
    }

    /** "wanda 2:4", "magnitude 50% global". */
    public String label() {
        return method.id() + " " + pattern.label() + (global ? " global" : "");
    }
}
