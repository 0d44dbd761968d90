package dev.quantscope.pipeline.prune;

import dev.quantscope.format.Model;

import java.util.ArrayList;
import java.util.List;

/**
 * A model with its plan's pruning applied: the pruned tensors are copies in its own memory (in their source dtype),
 * the others views of the model it was pruned from, which must stay open while this one is used. Quantizing, writing
 * or running it is then what the rest of the pipeline does with any model.
 *
 * @param model   the pruned model ({@code details()} are the source's, so a GGUF export copies its metadata)
 * @param tensors what pruning did to each pruned tensor, in model order
 * @param owned   what closing this closes, last first (the memory of the pruned copies)
 */
public record PrunedBase(Model model, List<PrunedTensor> tensors, List<AutoCloseable> owned) implements AutoCloseable {

    public PrunedBase {
        tensors = List.copyOf(tensors);
        owned = List.copyOf(owned);
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(owned);
        java.util.Collections.reverse(reversed);
        RuntimeException failure = null;
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) failure = new IllegalStateException("closing a pruned model failed", e);
            }
        }
        if (failure != null) throw failure;
    }
}
