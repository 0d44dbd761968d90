package dev.quantscope.quant.metrics;

/**
 * Streams pairs of original and quantized values into the sums of {@link ErrorMetrics}. Sums are kept in double:
 * a tensor of millions of float squares summed in float would lose the small error energy entirely. Not
 * thread-safe: one per worker, combined with {@link #add(ErrorAccumulator)} in a fixed order so that the result
 * does not depend on which thread did what.
 */
public final class ErrorAccumulator {
    private long elements;
    private double signal;
    private double error;
    private double dot;
    private double quant;
    private double maxAbs;

    /** Adds x[xOff..xOff+n) against q[qOff..qOff+n). */
    public void add(float[] x, int xOff, float[] q, int qOff, int n) {
        // Two independent sets of sums: the additions of one do not wait for the other's.
        double s0 = 0, s1 = 0, e0 = 0, e1 = 0, d0 = 0, d1 = 0, q0 = 0, q1 = 0, m = maxAbs;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            double xa = x[xOff + i], qa = q[qOff + i], xb = x[xOff + i + 1], qb = q[qOff + i + 1];
            double ea = xa - qa, eb = xb - qb;
            s0 += xa * xa; s1 += xb * xb;
            e0 += ea * ea; e1 += eb * eb;
            d0 += xa * qa; d1 += xb * qb;
            q0 += qa * qa; q1 += qb * qb;
            m = Math.max(m, Math.max(Math.abs(ea), Math.abs(eb)));
        }
        if (i < n) {
            double xa = x[xOff + i], qa = q[qOff + i], ea = xa - qa;
            s0 += xa * xa; e0 += ea * ea; d0 += xa * qa; q0 += qa * qa;
            m = Math.max(m, Math.abs(ea));
        }
        elements += n;
        signal += s0 + s1;
        error += e0 + e1;
        dot += d0 + d1;
        quant += q0 + q1;
        maxAbs = m;
    }

    /** Adds values that were stored exactly (q = x): they add signal but no error. */
    public void addExact(float[] x, int off, int n) {
        double s0 = 0, s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            double a = x[off + i], b = x[off + i + 1];
            s0 += a * a;
            s1 += b * b;
        }
        if (i < n) s0 += (double) x[off + i] * x[off + i];
        elements += n;
        signal += s0 + s1;
        dot += s0 + s1;
        quant += s0 + s1;
    }

    public void add(ErrorAccumulator o) {
        elements += o.elements;
        signal += o.signal;
        error += o.error;
        dot += o.dot;
        quant += o.quant;
        maxAbs = Math.max(maxAbs, o.maxAbs);
    }

    public ErrorMetrics result() {
        return new ErrorMetrics(elements, signal, error, dot, quant, maxAbs);
    }
}
