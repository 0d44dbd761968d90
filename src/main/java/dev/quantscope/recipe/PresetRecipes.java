package dev.quantscope.recipe;

import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.GgmlBlock;

import java.util.ArrayList;
import java.util.List;

/**
 * llama-quantize presets as recipes. {@link Recipe#preset(Preset)} keeps the preset's name and re-plans on every
 * model; {@link #expand} spells one model's plan out as explicit rules, one exact-name rule per tensor, so it can
 * be edited by hand as a starting point. The expanded recipe no longer follows the preset: on another model,
 * tensors its names do not cover get the preset's default type.
 */
public final class PresetRecipes {
    private PresetRecipes() {}

    public static Recipe expand(Preset preset, Model model) {
        RecipePlan plan = Recipe.preset(preset).resolve(model);
        List<Rule> rules = new ArrayList<>();
        for (TensorPlan p : plan.tensors()) rules.add(new Rule(TensorPattern.exactly(p.name()), p.scheme()));
        return new Recipe(preset.name() + " expanded", 
                new RecipeBase.DefaultScheme(new GgmlBlock(preset.defaultType())), rules);
    }
}
