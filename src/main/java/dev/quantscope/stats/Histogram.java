package dev.quantscope.stats;

/**
 * Counts of a tensor's values in {@code counts.length} equal-width bins over [lo, hi]. The last bin is closed,
 * so every finite value falls into exactly one bin and the counts sum to the number of finite elements.
 */
public record Histogram(double lo, double hi, long[] counts) {
    public Histogram {
        counts = counts.clone();
    }

    @Override
    public long[] counts() { return counts.clone(); }

    public int bins() { return counts.length; }

    public long count(int bin) { return counts[bin]; }

    public double binWidth() { return (hi - lo) / counts.length; }

    public double binStart(int bin) { return lo + bin * binWidth(); }

    /** log10(1 + count) per bin: the usual display scale for weight histograms, whose tails are thin. */
    public double[] log10Counts() {
        double[] out = new double[counts.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.log10(1 + (double) counts[i]);
        return out;
    }

    public long total() {
        long n = 0;
        for (long c : counts) n += c;
        return n;
    }
}
