package dev.quantscope.pipeline.plan;

import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preview.TensorPlan;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.RecipePlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds {@link ModelPlan}s for an open model through the recipe engine ({@link Recipe#resolve}). */
public final class Plans {
    private Plans() {}

    /**
     * The plan llama-quantize would follow for {@code preset}.
     * @throws IllegalArgumentException (e.g. PresetNotApplicableException) when llama-quantize would refuse the model
     */
    public static ModelPlan ofPreset(Preset preset, Model model) {
        return of(Recipe.preset(preset), preset.name(), model);
    }

    /**
     * {@code recipe} resolved on {@code model}. A tensor whose scheme cannot be applied (rows that do not fit a
     * block type, a source that cannot be decoded) is kept as it is, with a note saying why.
     */
    public static ModelPlan of(Recipe recipe, String label, Model model) {
        RecipePlan resolved = recipe.resolve(model);
        List<TensorPlan> out = new ArrayList<>(resolved.tensors().size());
        for (dev.quantscope.recipe.TensorPlan t : resolved.tensors()) {
            out.add(new TensorPlan(t.name(), t.rows(), t.rowLength(), t.source(),
                    t.problem().isPresent() ? Keep.INSTANCE : t.scheme(), t.decidedBy(), t.size(),
                    t.problem().map(p -> p + ": kept").orElse("")));
        }
        Optional<Preset> preset = recipe.rules().isEmpty() && recipe.base() instanceof RecipeBase.PresetChoices p
                ? Optional.of(p.preset()) : Optional.empty();
        return new ModelPlan(label, recipe, out, preset);
    }
}
