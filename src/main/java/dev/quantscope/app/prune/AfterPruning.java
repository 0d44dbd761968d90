package dev.quantscope.app.prune;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.RecipeBase;

/** What happens to the weights once pruned: nothing (they keep their type), or a llama-quantize preset. */
public sealed interface AfterPruning {
    AfterPruning NONE = new Dense();

    /** The recipe's base: the tensors' own types, or the preset's choices. */
    RecipeBase base();

    String label();

    record Dense() implements AfterPruning {
        @Override public RecipeBase base() { return new RecipeBase.DefaultScheme(Keep.INSTANCE); }

        @Override public String label() { return "none (keep the source types)"; }
    }

    record Quantized(Preset preset) implements AfterPruning {
        @Override public RecipeBase base() { return new RecipeBase.PresetChoices(preset); }

        @Override public String label() { return preset.name(); }
    }
}
