package dev.quantscope.pipeline.export;

import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;

/**
 * Whether the export records its recipe and the source's SHA-256 in the file's metadata
 * ({@link dev.quantscope.recipe.RecipeStamp}).
 */
public enum StampMode {
    /**
     * Stamp every recipe except a plain llama-quantize preset (no rules): that file stays byte-identical to what
     * llama-quantize writes, which two extra metadata keys would break.
     */
    AUTO,
    ON,
    OFF;

    public boolean stamps(Recipe recipe) {
        return switch (this) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> !isPlainPreset(recipe);
        };
    }

    static boolean isPlainPreset(Recipe recipe) {
        return recipe.base() instanceof RecipeBase.PresetChoices && recipe.rules().isEmpty();
    }
}
