package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

/**
 * Leave the tensor as it is: its size is the source's. {@link #quantize} keeps the floats it is given (as F32) so
 * that a round trip is the identity.
 */
public record Keep() implements QuantScheme {

    public static final Keep INSTANCE = new Keep();

    @Override
    public String id() { return "keep"; }

    @Override
    public String label() { return "Keep"; }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        return QuantizedSize.of(source, Math.multiplyExact(rows, rowLength));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return KeepCodec.quantize(this, values, rows, rowLength);
    }
}
