package dev.quantscope.recipe;

import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A mixed-precision recipe: an ordered list of rules, then a base for the tensors no rule matches. For each tensor
 * the first matching rule wins; unmatched 1-D tensors and norms are kept as they are (quantizing a few thousand
 * norm weights saves nothing and hurts quality); everything else goes to the {@link RecipeBase}.
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

    /** The first rule matching {@code tensorName}, as its index, or -1. */
    public int firstMatch(String tensorName) {
        for (int i = 0; i < rules.size(); i++) if (rules.get(i).pattern().matches(tensorName)) return i;
        return -1;
    }

    /** The scheme of every tensor of {@code model}, with sizes and totals. */
    public RecipePlan resolve(Model model) {
        return resolve(model, false);
    }

    /**
     * As {@link #resolve(Model)}; {@code withImatrix}: the model is quantized with an importance matrix, so a preset
     * base chooses its types as llama-quantize does when given {@code --imatrix}.
     */
    public RecipePlan resolve(Model model, boolean withImatrix) {
        return RecipeResolver.resolve(this, model, withImatrix);
    }
}
