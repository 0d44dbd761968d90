package dev.quantscope.pipeline.prune;

import dev.quantscope.prune.SparseStorage;
import dev.quantscope.recipe.SparsityRule;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What pruning did to one tensor, measured on the values stored.
 *
 * @param zeros       exact zeros after pruning, in the source dtype
 * @param storage     what the pruned tensor would take in the sparse layouts its mask allows (computed from the real
 *                    mask, with values in the source dtype): GGUF has no sparse layout, so a pruned file is as big as
 *                    the dense one
 * @param storedZeros exact zeros of the values the output holds after quantization, when measured: K-quants and
 *                    Q4_1 encode a zero through a minimum, so some zeros decode to small non-zero values
 */
public record PrunedTensor(String name, SparsityRule rule, long parameters, long zeros, SparseStorage storage,
                           OptionalLong storedZeros) {
    public PrunedTensor {
        Objects.requireNonNull(name);
        Objects.requireNonNull(rule);
        Objects.requireNonNull(storage);
        Objects.requireNonNull(storedZeros);
    }

    public double sparsity() { return parameters == 0 ? 0 : (double) zeros / parameters; }

    public double storedSparsity() {
        return storedZeros.isPresent() && parameters > 0 ? (double) storedZeros.getAsLong() / parameters : sparsity();
    }

    public PrunedTensor withStoredZeros(long z) {
        return new PrunedTensor(name, rule, parameters, zeros, storage, OptionalLong.of(z));
    }
}
