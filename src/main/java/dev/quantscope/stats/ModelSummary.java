package dev.quantscope.stats;

import dev.quantscope.tensor.DType;

import java.util.Map;

/**
 * Whole-model totals: parameters and bytes by dtype and by layer kind.
 *
 * @param parameters    all elements
 * @param bytes         all tensor bytes
 * @param byDtype       totals per dtype, in descending byte order
 * @param byKind        totals per layer kind
 */
public record ModelSummary(long parameters, long bytes, Map<DType, Totals> byDtype, Map<LayerKind, Totals> byKind) {

    public record Totals(long tensors, long parameters, long bytes) {}

    /** Average storage bits per weight over the whole model. */
    public double bitsPerWeight() {
        return parameters == 0 ? 0 : bytes * 8.0 / parameters;
    }
}
