package dev.quantscope.pipeline.export;

import dev.quantscope.format.safetensors.export.PackedLinearWeight;
import dev.quantscope.quant.job.Conversion;
import dev.quantscope.quant.scheme.Granularity;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.QuantizedTensor;
import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;
import java.util.function.LongUnaryOperator;

/**
 * Where a packed export keeps one integer-quantized tensor between quantizing and writing, off the heap:
 * {@code n} signed codes (one byte each), then one F32 scale per unit, then (asymmetric) one signed zero point
 * byte per unit, units row after row. Codes and zero points are stored already in compressed-tensors' signed
 * convention: the scheme's unsigned code {@code u} (and zero point {@code z}) minus {@code 2^(bits-1)}, which
 * leaves {@code (code − zero) · scale} unchanged; a symmetric scheme's implicit zero point {@code 2^(bits-1)}
 * becomes 0.
 */
record PackedStore(IntegerScheme scheme, int rows, int columns) implements Conversion.Store {

    int unitsPerRow() {
        return switch (scheme.granularity()) {
            case Granularity.PerChannel c -> 1;
            case Granularity.Group g -> Math.ceilDiv(columns, g.size());
            case Granularity.PerTensor t -> throw new IllegalStateException("per-tensor scales are not packed");
        };
    }

    long elements() { return (long) rows * columns; }

    long units() { return (long) rows * unitsPerRow(); }

    /** Bytes of the off-heap layout. */
    long byteSize() {
        long n = Math.addExact(elements(), Math.multiplyExact(units(), 4L));
        return scheme.symmetric() ? n : Math.addExact(n, units());
    }

    private int half() { return 1 << (scheme.bits() - 1); }

    @Override
    public void store(long firstRow, QuantizedTensor q, float[] values, MemorySegment output) {
        int n = q.elements();
        int[] codes = unpack(q.codes(), scheme.bits(), n);
        long at = firstRow * columns;
        for (int i = 0; i < n; i++) output.set(Layouts.I8, at + i, (byte) (codes[i] - half()));
        long unit = firstRow * unitsPerRow();
        long scales = elements();
        long zeros = scales + 4 * units();
        for (int k = 0; k < q.scales().length; k++) {
            output.set(Layouts.F32, scales + 4 * (unit + k), q.scales()[k]);
            if (!scheme.symmetric()) output.set(Layouts.I8, zeros + unit + k, (byte) ((int) q.offsets()[k] - half()));
        }
    }

    /** The weight for the writer, its rows in output order: output row r is stored row {@code sourceRow(r)}. */
    PackedLinearWeight load(MemorySegment output, LongUnaryOperator sourceRow) {
        int upr = unitsPerRow();
        byte[] codes = new byte[Math.toIntExact(elements())];
        float[] scales = new float[Math.toIntExact(units())];
        byte[] zeros = scheme.symmetric() ? null : new byte[scales.length];
        long scaleBase = elements();
        long zeroBase = scaleBase + 4 * units();
        for (int r = 0; r < rows; r++) {
            long src = sourceRow.applyAsLong(r);
            MemorySegment.copy(output, Layouts.I8, src * columns, codes, r * columns, columns);
            MemorySegment.copy(output, Layouts.F32, scaleBase + 4 * src * upr, scales, r * upr, upr);
            if (zeros != null) MemorySegment.copy(output, Layouts.I8, zeroBase + src * upr, zeros, r * upr, upr);
        }
        return new PackedLinearWeight(rows, columns, codes, scales, zeros);
    }

    /** The scheme's packed codes (LSB first, contiguous) as one value per element. */
    static int[] unpack(byte[] packed, int bits, int count) {
        int[] out = new int[count];
        int mask = (1 << bits) - 1;
        long bit = 0;
        for (int k = 0; k < count; k++, bit += bits) {
            int byteIndex = (int) (bit >>> 3);
            int shift = (int) (bit & 7);
            int word = packed[byteIndex] & 0xFF;
            if (shift + bits > 8) word |= (packed[byteIndex + 1] & 0xFF) << 8;
            out[k] = (word >>> shift) & mask;
        }
        return out;
    }
}
