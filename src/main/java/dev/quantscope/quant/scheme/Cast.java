package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Store the weights as plain F32, F16 or BF16 (round to nearest even). llama-quantize falls back to F16 for rows
 * that no block type of the preset fits, so preset recipes need it; it is also the baseline a user compares with.
 */
public record Cast(DType type) implements QuantScheme {

    private static final Set<DType> TYPES = EnumSet.of(DType.F32, DType.F16, DType.BF16);

    public Cast {
        Objects.requireNonNull(type);
        if (!TYPES.contains(type)) throw new IllegalArgumentException("cast only to F32, F16 or BF16, not " + type);
    }

    public static boolean supports(DType type) { return TYPES.contains(type); }

    @Override
    public String id() { return "cast:" + type.name(); }

    @Override
    public String label() { return type.name(); }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        return QuantizedSize.of(type, Math.multiplyExact(rows, rowLength));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return CastCodec.quantize(this, values, rows, rowLength);
    }
}
