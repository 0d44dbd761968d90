package dev.quantscope.pipeline.plan;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.recipe.Recipe;

import java.util.List;
import java.util.Optional;

/**
 * The one plan every compression follows: what each tensor of a model goes through under one {@link Recipe}
 * (pruned, then quantized), in the model's tensor order, with the exact sizes: no conversion is needed to know them.
 * {@link Plans} makes it; the converter, the file exports, the sweeps and the views all read it.
 *
 * @param label       the choice's name, e.g. "Q4_K_M" or "INT4 asym g128 MSE clip + 2 rules"
 * @param recipe      the recipe the plan was resolved from (what an export or "Save recipe…" writes)
 * @param tensors     per tensor, in the model's order
 * @param preset      the llama-quantize preset, when the plan is exactly one (no rules on top)
 * @param withImatrix whether it was resolved for quantizing with an importance matrix (a preset then picks some
 *                    types differently, as llama-quantize does)
 * @param sourceBytes the model's tensor bytes as they are
 */
public record ModelPlan(String label, Recipe recipe, List<TensorPlan> tensors, Optional<Preset> preset,
                        boolean withImatrix, long sourceBytes) {

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

    /** Tensors whose chain cannot be applied (rows that do not fit a block type or N:M, undecodable sources). */
    public List<TensorPlan> problems() {
        return tensors.stream().filter(p -> p.problem().isPresent()).toList();
    }

    /** Whether any tensor is pruned. */
    public boolean prunes() {
        return tensors.stream().anyMatch(t -> t.pruning().isPresent());
    }

    /** Whether every tensor has a ggml type, so the plan can be written as GGUF. */
    public boolean ggufWritable() {
        return tensors.stream().allMatch(t -> t.ggmlType().isPresent());
    }
}
