package dev.quantscope.quant.scheme;

import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;

/** {@link Keep}: the floats as little-endian F32 bytes. */
final class KeepCodec {
    private KeepCodec() {}

    static QuantizedTensor quantize(Keep k, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        byte[] bytes = new byte[Math.multiplyExact(x.length, 4)];
        MemorySegment.copy(x, 0, MemorySegment.ofArray(bytes), Layouts.F32, 0, x.length);
        return new QuantizedTensor(k, rows, rowLength, bytes, QuantizedTensor.NO_FLOATS, QuantizedTensor.NO_FLOATS,
                QuantizedTensor.NO_BYTES, SideFormat.F32);
    }

    static float[] dequantize(QuantizedTensor q) {
        float[] out = new float[q.elements()];
        MemorySegment.copy(MemorySegment.ofArray(q.codes()), Layouts.F32, 0, out, 0, out.length);
        return out;
    }
}
