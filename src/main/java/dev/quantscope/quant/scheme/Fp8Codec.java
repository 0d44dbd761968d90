package dev.quantscope.quant.scheme;

/** Reference quantizer for {@link Fp8}: one byte per weight, F32 scales. */
final class Fp8Codec {
    private Fp8Codec() {}

    static QuantizedTensor quantize(Fp8 f, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        Segments seg = Segments.of(f.granularity(), rows, rowLength);
        MiniFloatGrid grid = f.format().grid;
        byte[] codes = new byte[x.length];
        float[] scales = new float[seg.count()];
        for (int k = 0; k < seg.count(); k++) {
            int from = seg.start(k);
            int to = seg.end(k);
            float scale = Codecs.absMax(x, from, to) / grid.max();
            scales[k] = scale;
            for (int i = from; i < to; i++) codes[i] = (byte) grid.encode(scale == 0 ? 0f : x[i] / scale);
        }
        return new QuantizedTensor(f, rows, rowLength, codes, scales, QuantizedTensor.NO_FLOATS,
                QuantizedTensor.NO_BYTES, SideFormat.F32);
    }

    static float[] dequantize(Fp8 f, QuantizedTensor q) {
        Segments seg = Segments.of(f.granularity(), q.rows(), q.rowLength());
        MiniFloatGrid grid = f.format().grid;
        float[] out = new float[q.elements()];
        for (int k = 0; k < seg.count(); k++) {
            float scale = q.scales()[k];
            for (int i = seg.start(k); i < seg.end(k); i++) out[i] = grid.decode(q.codes()[i] & 0xFF) * scale;
        }
        return out;
    }
}
