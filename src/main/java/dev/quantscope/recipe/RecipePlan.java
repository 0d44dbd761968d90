package dev.quantscope.recipe;

import dev.quantscope.quant.ggml.QuantizedSize;

import java.util.List;
import java.util.Optional;

/** A recipe resolved on one model: the scheme of every tensor, in the model's tensor order, and the totals. */
public record RecipePlan(Recipe recipe, List<TensorPlan> tensors, long sourceBytes) {

    public RecipePlan {
        tensors = List.copyOf(tensors);
    }

    /** Storage of the whole model under the plan: elements and bytes, so bitsPerWeight() is the model's average. */
    public QuantizedSize total() {
        QuantizedSize t = QuantizedSize.NONE;
        for (TensorPlan p : tensors) t = t.plus(p.size());
        return t;
    }

    public long bytes() { return total().bytes(); }

    public double bitsPerWeight() { return total().bitsPerWeight(); }

    public Optional<TensorPlan> tensor(String name) {
        return tensors.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Tensors whose scheme cannot be applied (rows that do not fit a block type, undecodable sources). */
    public List<TensorPlan> problems() {
        return tensors.stream().filter(p -> p.problem().isPresent()).toList();
    }
}
