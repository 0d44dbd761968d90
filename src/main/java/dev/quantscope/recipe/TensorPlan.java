package dev.quantscope.recipe;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;

import java.util.Objects;
import java.util.Optional;

/**
 * The scheme one tensor gets under a recipe, and why.
 *
 * @param rows       rows of the tensor's 2-D view (1 for a scalar)
 * @param rowLength  contiguous row length
 * @param source     the tensor's type in the source file
 * @param decidedBy  what chose the scheme: "rule 2 (blk.*.ffn_down*)", "default", "1-D/norm kept", "preset Q4_K_M"
 * @param size       storage under {@code scheme}; when there is a {@code problem}, the source's size (it cannot be
 *                   converted, so it would stay as it is)
 * @param problem    why {@code scheme} cannot be applied to this tensor, if it cannot
 */
public record TensorPlan(String name, long rows, long rowLength, DType source, QuantScheme scheme, String decidedBy,
                         QuantizedSize size, Optional<String> problem) {
    public TensorPlan {
        Objects.requireNonNull(name);
        Objects.requireNonNull(source);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(decidedBy);
        Objects.requireNonNull(size);
        Objects.requireNonNull(problem);
    }
}
