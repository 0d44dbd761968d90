package dev.quantscope.quant.preview;

/**
 * Sums that describe how far stored values q are from the originals x, additive over tensors and over samples.
 *
 * @param elements elements the sums stand for
 * @param signal   Σx²
 * @param error    Σ(x−q)²
 * @param maxAbs   max |x−q| seen
 */
public record ErrorSums(double elements, double signal, double error, double maxAbs) {

    public static final ErrorSums NONE = new ErrorSums(0, 0, 0, 0);

    public static ErrorSums of(float[] x, float[] q) {
        if (x.length != q.length) throw new IllegalArgumentException("length mismatch");
        double s = 0, e = 0, m = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - q[i];
            s += (double) x[i] * x[i];
            e += d * d;
            m = Math.max(m, Math.abs(d));
        }
        return new ErrorSums(x.length, s, e, m);
    }

    /** The sums as if every element had been measured: a sample's sums times how many elements each stands for. */
    public ErrorSums scaled(double factor) {
        return new ErrorSums(elements * factor, signal * factor, error * factor, maxAbs);
    }

    public ErrorSums plus(ErrorSums o) {
        return new ErrorSums(elements + o.elements, signal + o.signal, error + o.error, Math.max(maxAbs, o.maxAbs));
    }

    /** Mean squared error per weight; NaN when empty. */
    public double mse() { return elements == 0 ? Double.NaN : error / elements; }

    /** 10·log10(Σx²/Σ(x−q)²) in dB: +∞ for an exact copy, NaN without signal. */
    public double sqnrDb() {
        if (elements == 0 || signal == 0) return Double.NaN;
        if (error == 0) return Double.POSITIVE_INFINITY;
        return 10 * Math.log10(signal / error);
    }
}
