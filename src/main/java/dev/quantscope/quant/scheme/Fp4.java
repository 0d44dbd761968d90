package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

/**
 * FP4 E2M1 (values 0, ±0.5 … ±6) with an FP16 scale per block of {@code block} weights along a row: scale =
 * absmax / 6, rounded up to FP16, weights rounded to the nearest E2M1 value (ties to even). 4 + 16/block bits.
 */
public record Fp4(int block) implements FloatScheme {

    public Fp4 {
        if (block < 2) throw new IllegalArgumentException("FP4 block must be at least 2, not " + block);
    }

    Granularity granularity() { return Granularity.group(block); }

    @Override
    public String id() { return "fp4-e2m1-b" + block; }

    @Override
    public String label() { return "FP4 E2M1 b" + block; }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        return new QuantizedSize(n, Math.addExact(BitPacking.bytesFor(n, 4),
                Math.multiplyExact(granularity().units(rows, rowLength), 2L)));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return Fp4Codec.quantize(this, granularity(), values, rows, rowLength);
    }
}
