package dev.quantscope.quant.scheme;

import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;

/** {@link Cast}: little-endian F32, F16 or BF16 bytes. */
final class CastCodec {
    private CastCodec() {}

    static QuantizedTensor quantize(Cast c, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        byte[] bytes = new byte[Math.toIntExact(c.type().byteSize(x.length))];
        MemorySegment out = MemorySegment.ofArray(bytes);
        for (int i = 0; i < x.length; i++) {
            switch (c.type()) {
                case F32 -> out.setAtIndex(Layouts.F32, i, x[i]);
                case F16 -> out.setAtIndex(Layouts.I16, i, Float.floatToFloat16(x[i]));
                case BF16 -> out.setAtIndex(Layouts.I16, i, toBf16(x[i]));
                default -> throw new IllegalStateException(c.type().name());
            }
        }
        return new QuantizedTensor(c, rows, rowLength, bytes, QuantizedTensor.NO_FLOATS, QuantizedTensor.NO_FLOATS,
                QuantizedTensor.NO_BYTES, SideFormat.F32);
    }

    /** Round to nearest even on the upper 16 bits; NaN stays a (quiet) NaN. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    static float[] dequantize(Cast c, QuantizedTensor q) {
        float[] out = new float[q.elements()];
        Decoders.find(c.type()).orElseThrow().decode(MemorySegment.ofArray(q.codes()), 0, out, 0, out.length);
        return out;
    }
}
