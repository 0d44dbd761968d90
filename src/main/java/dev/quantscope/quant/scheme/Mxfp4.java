package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

/**
 * OCP Microscaling MXFP4: blocks of 32 FP4 E2M1 elements sharing an E8M0 (power of two) scale. Per the MX spec the
 * shared exponent is floor(log2(absmax)) − 2 (2 being E2M1's largest exponent), so the block's largest weight
 * lands in [4, 8) and values above 6 saturate. 4 + 8/32 = 4.25 bits per weight.
 */
public record Mxfp4() implements FloatScheme {

    public static final int BLOCK = 32;

    static final Granularity GRANULARITY = Granularity.group(BLOCK);

    @Override
    public String id() { return "mxfp4"; }

    @Override
    public String label() { return "MXFP4"; }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        return new QuantizedSize(n, Math.addExact(BitPacking.bytesFor(n, 4), GRANULARITY.units(rows, rowLength)));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return Fp4Codec.quantize(this, GRANULARITY, values, rows, rowLength);
    }
}
