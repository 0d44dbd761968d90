package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

/**
 * QLoRA's 4-bit NormalFloat: blocks of {@code block} weights (64 by default) along a row, each scaled by its
 * absmax and rounded to the nearest of the 16 NF4 levels. The absmax is an F32 per block (4 + 32/64 = 4.5 bits
 * per weight), or with {@code doubleQuant}, as bitsandbytes does it: the mean of all absmax values is subtracted
 * (one F32 offset per tensor), and the rest quantized to 8 bits with the dynamic map in blocks of 256 scales
 * with an F32 absmax each (4 + 8/64 + 32/(64·256) bits per weight, plus the offset).
 */
public record Nf4(int block, boolean doubleQuant) implements FloatScheme {

    /** Scales per second-level block when double quantizing. */
    public static final int SCALE_BLOCK = 256;

    public Nf4 {
        if (block < 2) throw new IllegalArgumentException("NF4 block must be at least 2, not " + block);
    }

    /** The bitsandbytes default: block 64. */
    public static Nf4 standard(boolean doubleQuant) { return new Nf4(64, doubleQuant); }

    Granularity granularity() { return Granularity.group(block); }

    /** The 16 NF4 levels in [-1, 1], ascending (a copy): a block decodes to these times its absmax. */
    public static float[] levels() { return CodeTables.NF4.clone(); }

    @Override
    public String id() { return "nf4-b" + block + (doubleQuant ? "-dq" : ""); }

    @Override
    public String label() { return "NF4 b" + block + (doubleQuant ? " double-quant" : ""); }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        long n = Math.multiplyExact(rows, rowLength);
        long blocks = granularity().units(rows, rowLength);
        long side;
        if (!doubleQuant) {
            side = Math.multiplyExact(blocks, 4L);
        } else {
            long secondLevel = Math.ceilDiv(blocks, (long) SCALE_BLOCK);
            side = Math.addExact(Math.addExact(blocks, Math.multiplyExact(secondLevel, 4L)), blocks == 0 ? 0 : 4);
        }
        return new QuantizedSize(n, Math.addExact(BitPacking.bytesFor(n, 4), side));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return Nf4Codec.quantize(this, values, rows, rowLength);
    }
}
