package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preview.TensorPlan;
import dev.quantscope.recipe.Recipe;

import java.util.List;
import java.util.Optional;

/**
 * What every tensor of a model becomes under one {@link Recipe} (resolved by the recipe engine the CLI uses too),
 * with the exact sizes: no quantization is needed to know them.
 *
 * @param label  the choice's name, e.g. "Q4_K_M" or "INT4 asym g128 MSE clip + 2 rules"
 * @param recipe the recipe the plan was resolved from (what an export or "Save recipe…" writes)
 * @param preset the llama-quantize preset, when the plan is exactly one (no rules on top)
 */
public record ModelPlan(String label, Recipe recipe, List<TensorPlan> tensors, Optional<Preset> preset) {

    public ModelPlan {
        tensors = List.copyOf(tensors);
    }

    /** Storage of all tensors together. */
    public QuantizedSize total() {
        QuantizedSize s = QuantizedSize.NONE;
        for (TensorPlan t : tensors) s = s.plus(t.size());
        return s;
    }

    public long bytes() { return total().bytes(); }

    public double bitsPerWeight() { return total().bitsPerWeight(); }

    public Optional<TensorPlan> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Whether every tensor has a ggml type, so the plan can be written as GGUF. */
    public boolean ggufWritable() {
        return tensors.stream().allMatch(t -> t.ggmlType().isPresent());
    }
}
