package dev.quantscope.app.prune;

/**
 * A tensor's weights in equal bins over [lo, hi], with the exact zeros counted apart: after pruning they are half
 * the tensor or more, and in the bin around zero they would only look like a taller bar of small weights.
 *
 * @param counts non-zero finite weights per bin
 * @param zeros  weights that are exactly zero (±0)
 */
public record WeightHistogram(double lo, double hi, long[] counts, long zeros) {

    static final int BINS = 80;

    /** {@code w} binned over [lo, hi]; values outside are counted in the end bins. */
    static WeightHistogram of(float[] w, double lo, double hi) {
        long[] counts = new long[BINS];
        long zeros = 0;
        double width = hi > lo ? (hi - lo) / BINS : 1;
        for (float v : w) {
            if (v == 0) {
                zeros++;
            } else if (Float.isFinite(v)) {
                counts[(int) Math.max(0, Math.min(BINS - 1, Math.floor((v - lo) / width)))]++;
            }
        }
        return new WeightHistogram(lo, hi, counts, zeros);
    }

    /** The range of {@code w}'s finite values, so a before and an after histogram share their bins. */
    static double[] range(float[] w) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (float v : w) {
            if (!Float.isFinite(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (lo > hi) return new double[] {-1, 1};
        if (lo == hi) return new double[] {lo - 1, hi + 1};
        return new double[] {lo, hi};
    }

    double binWidth() { return (hi - lo) / counts.length; }

    double binStart(int b) { return lo + b * binWidth(); }

    public long total() {
        long n = zeros;
        for (long c : counts) n += c;
        return n;
    }
}
