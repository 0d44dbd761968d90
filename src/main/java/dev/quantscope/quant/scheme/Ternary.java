package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Objects;

/**
 * Ternary weights {-1, 0, 1} × scale with BitNet b1.58's absmean scale (the mean |x| of the unit, FP16), each
 * weight rounded to the nearest of the three. Codes take 2 bits (no base-3 packing), so a row scale costs
 * 2 + 16/rowLength bits per weight.
 */
public record Ternary(Granularity granularity) implements QuantScheme {

    public Ternary {
        Objects.requireNonNull(granularity);
    }

    @Override
    public String id() { return "ternary-" + granularity.id(); }

    @Override
    public String label() { return "Ternary " + granularity.label(); }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        return new QuantizedSize(n, Math.addExact(BitPacking.bytesFor(n, 2),
                Math.multiplyExact(granularity.units(rows, rowLength), 2L)));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return SignCodec.quantizeTernary(this, values, rows, rowLength);
    }
}
