package dev.quantscope.app.prune;

import dev.quantscope.recipe.Recipe;

import java.util.List;
import java.util.Optional;

/**
 * A finished "Prune model": the plan's pruning applied to the whole model (and the chosen quantization after it),
 * each pruned tensor measured. It stands for the page's choice only while the recipe and calibration are the ones
 * it ran with.
 */
public record PruneRun(Recipe recipe, String calibration, List<TensorResult> tensors) {

    public PruneRun {
        tensors = List.copyOf(tensors);
    }

    public Optional<TensorResult> tensor(String name) {
        return tensors.stream().filter(t -> t.tensor().equals(name)).findFirst();
    }

    /** Zeros over every pruned tensor. */
    public double sparsity() {
        long zeros = 0, all = 0;
        for (TensorResult t : tensors) {
            if (t.mask().isEmpty()) continue;
            zeros += t.mask().get().zeros();
            all += t.mask().get().size();
        }
        return all == 0 ? 0 : (double) zeros / all;
    }
}
