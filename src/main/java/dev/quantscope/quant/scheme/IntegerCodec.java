package dev.quantscope.quant.scheme;

/** Reference quantizer for {@link IntegerScheme}. */
final class IntegerCodec {
    private IntegerCodec() {}

    /** Clip ratios tried by {@link Rounding#MSE_CLIP}: 1.0, 0.95, …, 0.5. */
    static final float[] CLIP_RATIOS = clipRatios();

    private static float[] clipRatios() {
        float[] r = new float[11];
        for (int i = 0; i < r.length; i++) r[i] = 1f - i * 0.05f;
        return r;
    }

    /** One unit's stored parameters. */
    private record Fit(float scale, int zero) {}

    static QuantizedTensor quantize(IntegerScheme s, float[] x, int rows, int rowLength) {
        Codecs.checkShape(x, rows, rowLength);
        Segments seg = Segments.of(s.granularity(), rows, rowLength);
        int[] codes = new int[x.length];
        float[] scales = new float[seg.count()];
        float[] zeros = s.symmetric() ? QuantizedTensor.NO_FLOATS : new float[seg.count()];
        for (int k = 0; k < seg.count(); k++) {
            int from = seg.start(k);
            int to = seg.end(k);
            Fit fit = switch (s.rounding()) {
                case NEAREST -> fit(s, x, from, to, 1f);
                case MSE_CLIP -> bestClip(s, x, from, to);
            };
            scales[k] = fit.scale();
            if (!s.symmetric()) zeros[k] = fit.zero();
            for (int i = from; i < to; i++) codes[i] = code(s, x[i], fit);
        }
        return new QuantizedTensor(s, rows, rowLength, BitPacking.pack(codes, s.bits()), scales, zeros,
                QuantizedTensor.NO_BYTES, SideFormat.F16);
    }

    static float[] dequantize(IntegerScheme s, QuantizedTensor q) {
        int n = q.elements();
        int[] codes = BitPacking.unpack(q.codes(), s.bits(), n);
        Segments seg = Segments.of(s.granularity(), q.rows(), q.rowLength());
        float[] out = new float[n];
        int offset = s.symmetric() ? 1 << (s.bits() - 1) : 0;
        for (int k = 0; k < seg.count(); k++) {
            float scale = q.scales()[k];
            int zero = s.symmetric() ? offset : (int) q.offsets()[k];
            for (int i = seg.start(k); i < seg.end(k); i++) out[i] = (codes[i] - zero) * scale;
        }
        return out;
    }

    private static Fit bestClip(IntegerScheme s, float[] x, int from, int to) {
        Fit best = null;
        double bestErr = Double.POSITIVE_INFINITY;
        for (float r : CLIP_RATIOS) {
            Fit f = fit(s, x, from, to, r);
            double err = 0;
            for (int i = from; i < to; i++) {
                double d = x[i] - value(s, code(s, x[i], f), f);
                err += d * d;
            }
            if (err < bestErr) { // strict: on a tie the larger range (earlier ratio) stays
                bestErr = err;
                best = f;
            }
        }
        return best;
    }

    /** Scale (and zero point) for the unit's range shrunk by {@code ratio}; the scale is the stored FP16 value. */
    private static Fit fit(IntegerScheme s, float[] x, int from, int to, float ratio) {
        if (s.symmetric()) {
            int qmax = (1 << (s.bits() - 1)) - 1;
            float scale = HalfScales.up(Codecs.absMax(x, from, to) * ratio / qmax);
            return new Fit(scale, 0);
        }
        float lo = 0;
        float hi = 0;
        for (int i = from; i < to; i++) {
            lo = Math.min(lo, x[i]);
            hi = Math.max(hi, x[i]);
        }
        int levels = (1 << s.bits()) - 1;
        float scale = HalfScales.up((hi - lo) * ratio / levels);
        int zero = scale == 0 ? 0 : (int) Math.max(0, Math.min(levels, Math.rint(-lo * ratio / scale)));
        return new Fit(scale, zero);
    }

    /** The unsigned stored code of {@code v}. */
    private static int code(IntegerScheme s, float v, Fit f) {
        if (s.symmetric()) {
            int half = 1 << (s.bits() - 1);
            int q = f.scale() == 0 ? 0 : (int) Math.max(-half, Math.min(half - 1, Math.rint(v / f.scale())));
            return q + half;
        }
        int levels = (1 << s.bits()) - 1;
        if (f.scale() == 0) return f.zero();
        return (int) Math.max(0, Math.min(levels, Math.rint(v / f.scale()) + f.zero()));
    }

    private static float value(IntegerScheme s, int code, Fit f) {
        int zero = s.symmetric() ? 1 << (s.bits() - 1) : f.zero();
        return (code - zero) * f.scale();
    }
}
