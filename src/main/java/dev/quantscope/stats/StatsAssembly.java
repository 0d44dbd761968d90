package dev.quantscope.stats;

/** Turns merged pass results into a {@link TensorStats}, with the same conventions on every path. */
final class StatsAssembly {
    private StatsAssembly() {}

    /** Outliers are values farther than this many standard deviations from the mean. */
    static final double OUTLIER_SIGMAS = 6;

    /** Location and spread of the finite values. */
    record Central(long finite, double min, double max, double mean, double std, double kurtosis) {
        /** |x − mean| above this is an outlier; nothing is when the values do not vary. */
        double outlierThreshold() {
            return std == 0 ? Double.POSITIVE_INFINITY : OUTLIER_SIGMAS * std;
        }
    }

    static Central central(Moments m, double min, double max) {
        if (min == max) {
            // Rounding in the running mean could otherwise report a constant tensor's mean a few ulps off,
            // and a tiny positive σ.
            return new Central(m.n, min, max, min, 0, Double.NaN);
        }
        double mean = Math.clamp(m.mean, min, max);
        return new Central(m.n, min, max, mean, m.std(), m.excessKurtosis());
    }

    static TensorStats assemble(long count, long nonFinite, Central c, long zeros, long outliers, double[] pct) {
        double finite = c.finite();
        return new TensorStats(count, nonFinite, c.min(), c.max(), c.mean(), c.std(),
                Math.max(Math.abs(c.min()), Math.abs(c.max())), zeros / finite, c.kurtosis(), outliers / finite,
                pct[0], pct[1], pct[2], pct[3], pct[4]);
    }

    /** A tensor with no finite element (empty, or all NaN/infinite): every figure but the counts is NaN. */
    static TensorStats noFiniteValues(long count, long nonFinite) {
        double nan = Double.NaN;
        return new TensorStats(count, nonFinite, nan, nan, nan, nan, nan, 0, nan, 0, nan, nan, nan, nan, nan);
    }
}
