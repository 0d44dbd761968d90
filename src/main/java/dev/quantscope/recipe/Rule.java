package dev.quantscope.recipe;

import dev.quantscope.quant.scheme.QuantScheme;

import java.util.Objects;

/** One line of a recipe: tensors whose names match {@code pattern} get {@code scheme} ({@code keep} included). */
public record Rule(TensorPattern pattern, QuantScheme scheme) {
    public Rule {
        Objects.requireNonNull(pattern);
        Objects.requireNonNull(scheme);
    }

    public static Rule of(String pattern, String schemeId) {
        return new Rule(TensorPattern.parse(pattern), QuantScheme.parse(schemeId));
    }
}
