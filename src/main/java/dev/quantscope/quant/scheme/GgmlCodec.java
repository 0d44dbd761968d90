package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.tensor.Decoders;

import java.lang.foreign.MemorySegment;

/** {@link GgmlBlock} through ggml's byte-exact quantizer and the ggml dequantizers. */
final class GgmlCodec {
    private GgmlCodec() {}

    static QuantizedTensor quantize(GgmlBlock g, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        g.unsupportedReason(rowLength).ifPresent(r -> { throw new IllegalArgumentException(r); });
        byte[] bytes = new byte[Math.toIntExact(g.type().byteSize(x.length))];
        GgmlQuantizer.create(g.type()).quantize(x, 0, x.length, bytes, 0);
        return new QuantizedTensor(g, rows, rowLength, bytes, QuantizedTensor.NO_FLOATS, QuantizedTensor.NO_FLOATS,
                QuantizedTensor.NO_BYTES, SideFormat.F16);
    }

    static float[] dequantize(GgmlBlock g, QuantizedTensor q) {
        float[] out = new float[q.elements()];
        Decoders.find(g.type()).orElseThrow(() -> new IllegalStateException("no decoder for " + g.type()))
                .decode(MemorySegment.ofArray(q.codes()), 0, out, 0, out.length);
        return out;
    }
}
