package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.Accuracy;

import java.util.List;

/** One unit of a sensitivity scan: how far pruning it alone moves the model, or why it could not be pruned. */
public sealed interface SensitivityPoint {

    /** Position in the scan (the model's tensor order). */
    int index();

    /** The tensor's name, or the block's ("blk.3"). */
    String name();

    /**
     * @param tensors the matrices pruned together
     * @param weights how many weights they hold
     */
    record Measured(int index, String name, List<String> tensors, long weights, Accuracy accuracy)
            implements SensitivityPoint {
        public Measured {
            tensors = List.copyOf(tensors);
        }
    }

    record Skipped(int index, String name, String reason) implements SensitivityPoint {}
}
