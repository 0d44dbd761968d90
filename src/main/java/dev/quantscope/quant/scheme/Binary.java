package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Objects;

/**
 * Binary weights sign(x) × scale, the scale being the mean |x| of the unit (FP16): for a fixed sign pattern that
 * is the scale with the least squared error (XNOR-Net). One bit per weight plus the scales.
 */
public record Binary(Granularity granularity) implements QuantScheme {

    public Binary {
        Objects.requireNonNull(granularity);
    }

    @Override
    public String id() { return "binary-" + granularity.id(); }

    @Override
    public String label() { return "Binary " + granularity.label(); }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        return new QuantizedSize(n, Math.addExact(BitPacking.bytesFor(n, 1),
                Math.multiplyExact(granularity.units(rows, rowLength), 2L)));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return SignCodec.quantizeBinary(this, values, rows, rowLength);
    }
}
