package dev.quantscope.stats;

/**
 * Summary statistics of one tensor's values, computed over every element.
 *
 * <p>Precision (see {@link StatsEngine}): count, nanCount, min, max, absMax, the two fractions and the five
 * percentiles are exact for the tensor's decoded float32 values — percentiles interpolate linearly between the
 * two nearest order statistics, like NumPy's default, and equal what sorting every value gives. Mean, std and
 * kurtosis are double-precision sums merged stably (relative error near 1e-12). The figures do not depend on the
 * number of threads. With no finite element at all, every figure but the counts is NaN.
 *
 * @param count           number of elements
 * @param nanCount        elements that are NaN or infinite (excluded from the other figures)
 * @param min             smallest value
 * @param max             largest value
 * @param mean            arithmetic mean
 * @param std             population standard deviation
 * @param absMax          largest absolute value
 * @param zeroFraction    fraction of the finite elements that are exactly zero (±0)
 * @param kurtosis        excess kurtosis (0 for a normal distribution); NaN when std is 0 (undefined)
 * @param outlierFraction fraction of the finite elements with |x − mean| > 6σ (0 when σ is 0)
 * @param p0_1            0.1th percentile
 * @param p1              1st percentile
 * @param p50             median
 * @param p99             99th percentile
 * @param p99_9           99.9th percentile
 */
public record TensorStats(long count, long nanCount, double min, double max, double mean, double std, double absMax,
                          double zeroFraction, double kurtosis, double outlierFraction,
                          double p0_1, double p1, double p50, double p99, double p99_9) {

    /** Elements that are neither NaN nor infinite: those the fractions are of. */
    public long finiteCount() { return count - nanCount; }

    /** Elements that are exactly zero (±0), as counted for {@link #zeroFraction()}. */
    public long zeroCount() { return Math.round(zeroFraction * finiteCount()); }
}
