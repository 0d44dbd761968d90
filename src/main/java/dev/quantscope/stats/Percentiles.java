package dev.quantscope.stats;

/**
 * The percentile definition every path uses: linear interpolation between the two nearest order statistics
 * (NumPy's default "linear" method). For {@code n} sorted finite values x[0..n-1] and level p (in percent),
 * h = (n − 1)·p/100, k = ⌊h⌋ and the percentile is x[k] + (h − k)·(x[k+1] − x[k]).
 */
final class Percentiles {
    private Percentiles() {}

    /** The levels reported in {@link TensorStats}, in its field order. */
    static final double[] LEVELS = {0.1, 1, 50, 99, 99.9};

    /** The lower order statistic's rank k for level {@code p} over {@code n} values. */
    static long lowerRank(double p, long n) {
        return (long) Math.floor(position(p, n));
    }

    /** The order statistic ranks {@link #interpolate} needs for level p: k, and k + 1 when it exists. */
    static long[] ranksNeeded(double p, long n) {
        long k = lowerRank(p, n);
        return k + 1 < n ? new long[] {k, k + 1} : new long[] {k};
    }

    /** Interpolates between order statistics x[k] ({@code lower}) and x[k+1] ({@code upper}). */
    static double interpolate(double p, long n, double lower, double upper) {
        double h = position(p, n);
        double frac = h - Math.floor(h);
        return frac == 0 ? lower : lower + frac * (upper - lower);
    }

    private static double position(double p, long n) {
        return (n - 1) * p / 100.0;
    }
}
