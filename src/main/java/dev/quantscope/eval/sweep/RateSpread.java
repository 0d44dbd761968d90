package dev.quantscope.eval.sweep;

/**
 * How a phase's speed varied over the timed repetitions of one measurement: the quartiles of the per-run speeds.
 * The median is the figure a point reports; the interquartile range says how far apart the middle half of its runs
 * were, which on a small model (a run of a few milliseconds, on cores shared with other work) can be wider than
 * the differences between quantization types.
 *
 * @param lowerQuartile tokens per second of the 25th-percentile run (NaN for a phase that did not run)
 * @param upperQuartile tokens per second of the 75th-percentile run
 * @param runs          timed repetitions (1: no spread known)
 */
public record RateSpread(double lowerQuartile, double upperQuartile, int runs) {

    public RateSpread {
        if (runs < 1) throw new IllegalArgumentException("a spread needs at least one run: " + runs);
        if (lowerQuartile > upperQuartile) {
            throw new IllegalArgumentException("lower quartile " + lowerQuartile + " above upper " + upperQuartile);
        }
    }

    /** A single figure: no repetitions to spread. */
    public static RateSpread single(double tokensPerSecond) { return new RateSpread(tokensPerSecond, tokensPerSecond, 1); }

    /**
     * Quartiles of per-run speeds (linear interpolation between the sorted runs, as R's default and numpy's
     * {@code percentile} compute them).
     */
    public static RateSpread of(double[] tokensPerSecond) {
        if (tokensPerSecond.length == 0) throw new IllegalArgumentException("no runs");
        double[] v = tokensPerSecond.clone();
        java.util.Arrays.sort(v);
        return new RateSpread(quantile(v, 0.25), quantile(v, 0.75), v.length);
    }

    private static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int below = (int) Math.floor(at);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
    }

    /**
     * The "± x" of a figure: half the interquartile range relative to its middle, (q3 − q1) / (q3 + q1); 0
     * without repetitions. Below 1 however far apart the runs were (a point timed while the JIT was still
     * compiling its kernels can have runs 20 times apart: ± 90 %, where a ratio to the median would read ± 1,000 %).
     */
    public double relativeHalfWidth() {
        if (runs < 2 || !(upperQuartile + lowerQuartile > 0)) return 0;
        return (upperQuartile - lowerQuartile) / (upperQuartile + lowerQuartile);
    }
}
