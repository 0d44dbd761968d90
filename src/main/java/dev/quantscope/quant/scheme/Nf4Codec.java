package dev.quantscope.quant.scheme;

/** Reference quantizer for {@link Nf4}, with bitsandbytes-style double quantization of the absmax values. */
final class Nf4Codec {
    private Nf4Codec() {}

    static QuantizedTensor quantize(Nf4 f, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        Segments seg = Segments.of(f.granularity(), rows, rowLength);
        int[] codes = new int[x.length];
        float[] absmax = new float[seg.count()];
        for (int k = 0; k < seg.count(); k++) {
            int from = seg.start(k);
            int to = seg.end(k);
            float a = Codecs.absMax(x, from, to);
            absmax[k] = a;
            // Codes come from the exact absmax, as in bitsandbytes; double quantization only compresses the scale.
            for (int i = from; i < to; i++) codes[i] = CodeTables.nearest(CodeTables.NF4, a == 0 ? 0f : x[i] / a);
        }
        byte[] packed = BitPacking.pack(codes, 4);
        if (!f.doubleQuant()) {
            return new QuantizedTensor(f, rows, rowLength, packed, absmax, QuantizedTensor.NO_FLOATS,
                    QuantizedTensor.NO_BYTES, SideFormat.F32);
        }
        return doubleQuantized(f, rows, rowLength, packed, absmax);
    }

    private static QuantizedTensor doubleQuantized(Nf4 f, int rows, int rowLength, byte[] packed, float[] absmax) {
        int blocks = absmax.length;
        if (blocks == 0) {
            return new QuantizedTensor(f, rows, rowLength, packed, QuantizedTensor.NO_FLOATS,
                    QuantizedTensor.NO_FLOATS, QuantizedTensor.NO_BYTES, SideFormat.F32);
        }
        double sum = 0;
        for (float a : absmax) sum += a;
        // Absmax values are all positive and similar: centring them spends the signed map's codes on the spread.
        float offset = (float) (sum / blocks);
        int groups = Math.ceilDiv(blocks, Nf4.SCALE_BLOCK);
        float[] scale2 = new float[groups];
        byte[] codes2 = new byte[blocks];
        for (int g = 0; g < groups; g++) {
            int from = g * Nf4.SCALE_BLOCK;
            int to = Math.min(blocks, from + Nf4.SCALE_BLOCK);
            float m = 0;
            for (int k = from; k < to; k++) m = Math.max(m, Math.abs(absmax[k] - offset));
            scale2[g] = m;
            for (int k = from; k < to; k++) {
                codes2[k] = (byte) CodeTables.nearest(CodeTables.DYNAMIC8, m == 0 ? 0f : (absmax[k] - offset) / m);
            }
        }
        return new QuantizedTensor(f, rows, rowLength, packed, scale2, new float[] {offset}, codes2, SideFormat.F32);
    }

    /** The absmax values that {@code q} stores (decoded from 8 bits when double-quantized). */
    static float[] absmax(Nf4 f, QuantizedTensor q) {
        if (!f.doubleQuant()) return q.scales();
        int blocks = q.scaleCodes().length;
        float[] a = new float[blocks];
        for (int k = 0; k < blocks; k++) {
            a[k] = CodeTables.DYNAMIC8[q.scaleCodes()[k] & 0xFF] * q.scales()[k / Nf4.SCALE_BLOCK] + q.offsets()[0];
        }
        return a;
    }

    static float[] dequantize(Nf4 f, QuantizedTensor q) {
        int[] codes = BitPacking.unpack(q.codes(), 4, q.elements());
        float[] absmax = absmax(f, q);
        Segments seg = Segments.of(f.granularity(), q.rows(), q.rowLength());
        float[] out = new float[codes.length];
        for (int k = 0; k < seg.count(); k++) {
            for (int i = seg.start(k); i < seg.end(k); i++) out[i] = CodeTables.NF4[codes[i]] * absmax[k];
        }
        return out;
    }
}
