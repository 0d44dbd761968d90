package dev.quantscope.stats;

/**
 * Equal-width bins over [lo, hi], the last bin closed. One definition for every path, so that a histogram
 * computed from decoded floats and one computed from a code table put each value in the same bin.
 */
final class Binning {
    final double lo;
    final double hi;
    final int bins;
    private final double scale;

    private Binning(double lo, double hi, int bins) {
        this.lo = lo;
        this.hi = hi;
        this.bins = bins;
        this.scale = bins / (hi - lo);
    }

    /**
     * Bins over [min, max]. When all values are equal (or there are none) a zero-width range would make every
     * bin empty of meaning, so the range is widened symmetrically around the value: by half its magnitude, or by
     * 0.5 around zero. The value then lands in the middle bin.
     */
    static Binning over(double min, double max, int bins) {
        if (bins < 1) throw new IllegalArgumentException("bins must be at least 1, got " + bins);
        if (Double.isNaN(min) || Double.isNaN(max)) return new Binning(-0.5, 0.5, bins);
        if (min == max) {
            double w = min == 0 ? 0.5 : Math.abs(min) / 2;
            return new Binning(min - w, max + w, bins);
        }
        return new Binning(min, max, bins);
    }

    /** The bin of a finite value inside [lo, hi]; values at hi go into the last bin. */
    int binOf(double x) {
        int b = (int) ((x - lo) * scale);
        if (b >= bins) return bins - 1;
        return Math.max(b, 0);
    }
}
