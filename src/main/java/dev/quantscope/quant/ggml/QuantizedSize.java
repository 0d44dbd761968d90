package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

/**
 * Storage of some weights once quantized, for bits-per-weight accounting over a tensor or a whole model that
 * mixes types (a Q4_K_M file keeps some tensors in Q6_K and the norms in F32). Sizes come from the dtype table:
 * {@code elements / blockElements * blockBytes}.
 *
 * @param elements number of weights
 * @param bytes    bytes they take, block scales included
 */
public record QuantizedSize(long elements, long bytes) {

    public static final QuantizedSize NONE = new QuantizedSize(0, 0);

    public QuantizedSize {
        if (elements < 0 || bytes < 0) throw new IllegalArgumentException("negative size");
    }

    /**
     * The size of {@code elements} weights stored as {@code type}.
     * @throws IllegalArgumentException when the count is not a whole number of the type's blocks
     */
    public static QuantizedSize of(DType type, long elements) {
        return new QuantizedSize(elements, type.byteSize(elements));
    }

    /** Both sizes together. */
    public QuantizedSize plus(QuantizedSize other) {
        return new QuantizedSize(Math.addExact(elements, other.elements), Math.addExact(bytes, other.bytes));
    }

    /** Average storage bits per weight; 0 when there are no weights. */
    public double bitsPerWeight() {
        return elements == 0 ? 0 : bytes * 8.0 / elements;
    }
}
