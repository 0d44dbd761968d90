package dev.quantscope.pipeline.plan;

import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.TensorPattern;

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
        ModelPlan plan = Plans.ofPreset(preset, model);
        List<Rule> rules = new ArrayList<>();
        for (TensorPlan p : plan.tensors()) rules.add(new Rule(TensorPattern.exactly(p.name()), p.scheme()));
        return new Recipe(preset.name() + " expanded",
                new RecipeBase.DefaultScheme(new GgmlBlock(preset.defaultType())), rules);
    }
}
