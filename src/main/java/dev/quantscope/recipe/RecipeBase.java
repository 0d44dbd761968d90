package dev.quantscope.recipe;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;

import java.util.Objects;

/** What a recipe does with tensors no rule matches: one default scheme, or a llama-quantize preset's choices. */
public sealed interface RecipeBase {

    /** Every unmatched matrix gets {@code scheme}. */
    record DefaultScheme(QuantScheme scheme) implements RecipeBase {
        public DefaultScheme {
            Objects.requireNonNull(scheme);
        }
    }

    /**
     * Unmatched tensors get the type llama-quantize's {@code preset} would give them. Only the preset's name is
     * recorded, so the same recipe re-plans on another model (layer counts and shapes change the choices).
     */
    record PresetChoices(Preset preset) implements RecipeBase {
        public PresetChoices {
            Objects.requireNonNull(preset);
        }
    }
}
