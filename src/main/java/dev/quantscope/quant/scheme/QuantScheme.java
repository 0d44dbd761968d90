package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Optional;

/**
 * A way of storing a weight tensor with fewer bits: ggml's block types, plain integer grids, ternary and binary
 * weights, small float formats, or keeping the tensor as it is. Every scheme has a scalar reference
 * {@link #quantize quantize} and {@link #dequantize dequantize}, and {@link #size exact size accounting} that
 * counts every scale, zero point and minimum the scheme stores, so bits per weight compare honestly across schemes.
 *
 * <p>Tensors are seen as {@code rows × rowLength} floats, row-major (a row is an output channel of a weight matrix,
 * contiguous in every format QuantScope reads). Groups and blocks run along a row.
 */
public sealed interface QuantScheme permits GgmlBlock, IntegerScheme, Ternary, Binary, FloatScheme, Cast, Keep {

    /** A stable id for JSON recipes, e.g. {@code int4-asym-g128-rtn}; {@link #parse(String)} reads it back. */
    String id();

    /** A short human-readable name, e.g. "INT4 asym g128 RTN". */
    String label();

    /** Short name for legends and tables: "Q4_K", "keep", else {@link #label()}. */
    default String shortLabel() {
        return switch (this) {
            case GgmlBlock g -> g.type().name();
            case Keep _ -> "keep";
            default -> label();
        };
    }

    /**
     * Why this scheme cannot store rows of {@code rowLength} elements, or empty when it can. Only ggml's block
     * types are picky (a row must be a whole number of blocks); the other schemes end a row with a short group.
     */
    default Optional<String> unsupportedReason(long rowLength) {
        return Optional.empty();
    }

    /**
     * Exact storage of a {@code rows × rowLength} tensor under this scheme, side data included.
     *
     * @param source the tensor's type in its source file; only {@link Keep} looks at it
     * @throws IllegalArgumentException when the scheme cannot store such rows ({@link #unsupportedReason})
     */
    QuantizedSize size(DType source, long rows, long rowLength);

    /**
     * Quantizes {@code rows × rowLength} floats (row-major, finite).
     * @throws IllegalArgumentException when the length does not match or the rows do not fit the scheme
     */
    QuantizedTensor quantize(float[] values, int rows, int rowLength);

    /** The floats that {@code q} stands for. */
    default float[] dequantize(QuantizedTensor q) {
        if (!q.scheme().equals(this)) throw new IllegalArgumentException(q.scheme().id() + " is not " + id());
        return switch (this) {
            case GgmlBlock g -> GgmlCodec.dequantize(g, q);
            case IntegerScheme s -> IntegerCodec.dequantize(s, q);
            case Ternary t -> SignCodec.dequantizeTernary(q);
            case Binary b -> SignCodec.dequantizeBinary(q);
            case Fp8 f -> Fp8Codec.dequantize(f, q);
            case Nf4 f -> Nf4Codec.dequantize(f, q);
            case Fp4 f -> Fp4Codec.dequantize(q);
            case Mxfp4 f -> Fp4Codec.dequantize(q);
            case Cast c -> CastCodec.dequantize(c, q);
            case Keep k -> KeepCodec.dequantize(q);
        };
    }

    /** Convenience: storage bits per weight of a {@code rows × rowLength} tensor stored from {@code source}. */
    default double bitsPerWeight(DType source, long rows, long rowLength) {
        return size(source, rows, rowLength).bitsPerWeight();
    }

    /**
     * The scheme with id {@code id}.
     * @throws IllegalArgumentException naming what is wrong with the id
     */
    static QuantScheme parse(String id) {
        return SchemeIds.parse(id);
    }
}
