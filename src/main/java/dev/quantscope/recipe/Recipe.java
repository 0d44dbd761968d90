package dev.quantscope.recipe;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A compression recipe: an ordered list of rules, then a base for the tensors no rule gives a scheme. For each
 * tensor the first matching rule that names a scheme wins; unmatched 1-D tensors and norms are kept as they are
 * (quantizing a few thousand norm weights saves nothing and hurts quality); everything else goes to the
 * {@link RecipeBase}. Independently, the first matching rule that names a {@link SparsityRule} prunes the tensor
 * before it is quantized. {@code dev.quantscope.pipeline.plan.Plans} resolves a recipe on a model.
 *
 * @param name  a free label shown to the user ("" when unnamed)
 */
public record Recipe(String name, RecipeBase base, List<Rule> rules) {

    public Recipe {
        Objects.requireNonNull(name);
        Objects.requireNonNull(base);
        rules = List.copyOf(rules);
    }

    /** Every matrix gets {@code scheme}, except where a rule says otherwise. */
    public static Recipe of(QuantScheme defaultScheme, Rule... rules) {
        return new Recipe("", new RecipeBase.DefaultScheme(defaultScheme), Arrays.asList(rules));
    }

    /** llama-quantize's {@code preset}, re-planned for each model it is resolved on. */
    public static Recipe preset(Preset preset) {
        return new Recipe(preset.name(), new RecipeBase.PresetChoices(preset), List.of());
    }

    public Recipe withName(String newName) { return new Recipe(newName, base, rules); }

    /** The first rule matching {@code tensorName} that names a scheme, as its index, or -1. */
    public int schemeRule(String tensorName) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.scheme().isPresent() && r.pattern().matches(tensorName)) return i;
        }
        return -1;
    }

    /** The first rule matching {@code tensorName} that prunes, as its index, or -1. */
    public int sparsityRule(String tensorName) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.sparsity().isPresent() && r.pattern().matches(tensorName)) return i;
        }
        return -1;
    }

    /** Whether any rule prunes. */
    public boolean prunes() {
        return rules.stream().anyMatch(r -> r.sparsity().isPresent());
    }
}
