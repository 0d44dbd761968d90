package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Objects;

/**
 * Uniform integer quantization with {@code bits} bits per weight and an FP16 scale per {@link Granularity} unit.
 * Symmetric: codes {@code -2^(b-1) .. 2^(b-1)-1}, scale = absmax / (2^(b-1)-1), no zero point. Asymmetric: codes
 * {@code 0 .. 2^b-1} over the unit's range [min(x,0), max(x,0)] with an integer zero point stored as FP16 next to
 * the scale (so int4 asym g128 takes 4 + 32/128 = 4.25 bits per weight).
 */
public record IntegerScheme(int bits, boolean symmetric, Granularity granularity, Rounding rounding)
        implements QuantScheme {

    public IntegerScheme {
        if (bits < 2 || bits > 8) throw new IllegalArgumentException("integer schemes take 2..8 bits, not " + bits);
        Objects.requireNonNull(granularity);
        Objects.requireNonNull(rounding);
    }

    @Override
    public String id() {
        return "int" + bits + "-" + (symmetric ? "sym" : "asym") + "-" + granularity.id() + "-" + rounding.id();
    }

    @Override
    public String label() {
        return "INT" + bits + " " + (symmetric ? "sym" : "asym") + " " + granularity.label() + " " + rounding.label();
    }

    /** FP16 values stored per scale unit: the scale, plus the zero point when asymmetric. */
    int sideValuesPerUnit() { return symmetric ? 1 : 2; }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        long side = Math.multiplyExact(granularity.units(rows, rowLength), 2L * sideValuesPerUnit());
        return new QuantizedSize(n, Math.addExact(BitPacking.bytesFor(n, bits), side));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return IntegerCodec.quantize(this, values, rows, rowLength);
    }
}
