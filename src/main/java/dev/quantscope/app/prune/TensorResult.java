package dev.quantscope.app.prune;

import dev.quantscope.prune.SparseStorage;
import dev.quantscope.prune.SparsityMask;

import java.util.Optional;

/**
 * What the page shows of one tensor: its weights before and after pruning, which stayed, and what the mask would
 * take in the sparse layouts. A preview has no {@code after} when its method cannot be previewed alone (SparseGPT
 * updates the weights it keeps from a pass over the whole model); {@code note} then says what to do.
 *
 * @param measured    from a run of the whole plan ("Prune model"), not a preview of the tensor alone
 * @param storedZeros zeros left after the quantization that follows, when a run measured them
 */
public record TensorResult(String tensor, WeightHistogram before, Optional<WeightHistogram> after,
                    Optional<SparsityMask> mask, Optional<SparseStorage> storage, String note, boolean measured,
                    Optional<Long> storedZeros) {

    /** The pruned fraction of the tensor, when it was pruned. */
    public Optional<Double> sparsity() { return mask.map(SparsityMask::sparsity); }
}
