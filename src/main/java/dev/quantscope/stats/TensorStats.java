package dev.quantscope.stats;

/**
 * Summary statistics of one tensor's values, computed over every element.
 *
 * @param count           number of elements
 * @param nanCount        elements that are NaN or infinite (excluded from the other figures)
 * @param min             smallest value
 * @param max             largest value
 * @param mean            arithmetic mean
 * @param std             population standard deviation
 * @param absMax          largest absolute value
 * @param zeroFraction    fraction of elements that are exactly zero
 * @param kurtosis        excess kurtosis (0 for a normal distribution)
 * @param outlierFraction fraction with |x − mean| > 6σ
 * @param p0_1            0.1th percentile
 * @param p1              1st percentile
 * @param p50             median
 * @param p99             99th percentile
 * @param p99_9           99.9th percentile
 */
public record TensorStats(long count, long nanCount, double min, double max, double mean, double std, double absMax,
                          double zeroFraction, double kurtosis, double outlierFraction,
                          double p0_1, double p1, double p50, double p99, double p99_9) {
}
