package dev.quantscope.prune;

import dev.quantscope.format.Model;

import java.util.List;

/**
 * A pruned model and what pruning did to each tensor. The pruned tensors live in memory the model owns, closed with
 * it; the others are still views of the model it was pruned from, which must stay open as long as this one is used.
 *
 * @param tensors the pruned tensors in model order
 */
public record PrunedModel(Model model, List<TensorSparsity> tensors) implements AutoCloseable {

    public PrunedModel {
        tensors = List.copyOf(tensors);
    }

    @Override
    public void close() { model.close(); }
}
