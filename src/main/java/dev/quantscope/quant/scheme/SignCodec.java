package dev.quantscope.quant.scheme;

/** Reference quantizers for {@link Ternary} (2-bit codes 0,1,2 for -1,0,1) and {@link Binary} (1 bit: 1 = +). */
final class SignCodec {
    private SignCodec() {}

    static QuantizedTensor quantizeTernary(Ternary t, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        Segments seg = Segments.of(t.granularity(), rows, rowLength);
        int[] codes = new int[x.length];
        float[] scales = new float[seg.count()];
        for (int k = 0; k < seg.count(); k++) {
            int from = seg.start(k);
            int to = seg.end(k);
            float scale = HalfScales.nearest(Codecs.meanAbs(x, from, to));
            scales[k] = scale;
            for (int i = from; i < to; i++) {
                int q = scale == 0 ? 0 : (int) Math.max(-1, Math.min(1, Math.rint(x[i] / scale)));
                codes[i] = q + 1;
            }
        }
        return new QuantizedTensor(t, rows, rowLength, BitPacking.pack(codes, 2), scales, QuantizedTensor.NO_FLOATS,
                QuantizedTensor.NO_BYTES, SideFormat.F16);
    }

    static float[] dequantizeTernary(QuantizedTensor q) {
        Ternary t = (Ternary) q.scheme();
        int[] codes = BitPacking.unpack(q.codes(), 2, q.elements());
        Segments seg = Segments.of(t.granularity(), q.rows(), q.rowLength());
        float[] out = new float[codes.length];
        for (int k = 0; k < seg.count(); k++) {
            float scale = q.scales()[k];
            for (int i = seg.start(k); i < seg.end(k); i++) out[i] = (codes[i] - 1) * scale;
        }
        return out;
    }

    static QuantizedTensor quantizeBinary(Binary b, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        Segments seg = Segments.of(b.granularity(), rows, rowLength);
        int[] codes = new int[x.length];
        float[] scales = new float[seg.count()];
        for (int k = 0; k < seg.count(); k++) {
            int from = seg.start(k);
            int to = seg.end(k);
            scales[k] = HalfScales.nearest(Codecs.meanAbs(x, from, to));
            for (int i = from; i < to; i++) codes[i] = x[i] >= 0 ? 1 : 0;
        }
        return new QuantizedTensor(b, rows, rowLength, BitPacking.pack(codes, 1), scales, QuantizedTensor.NO_FLOATS,
                QuantizedTensor.NO_BYTES, SideFormat.F16);
    }

    static float[] dequantizeBinary(QuantizedTensor q) {
        Binary b = (Binary) q.scheme();
        int[] codes = BitPacking.unpack(q.codes(), 1, q.elements());
        Segments seg = Segments.of(b.granularity(), q.rows(), q.rowLength());
        float[] out = new float[codes.length];
        for (int k = 0; k < seg.count(); k++) {
            float scale = q.scales()[k];
            for (int i = seg.start(k); i < seg.end(k); i++) out[i] = codes[i] == 1 ? scale : -scale;
        }
        return out;
    }
}
