package dev.quantscope.stats;

/**
 * Count, mean and central moment sums M2, M3, M4 of a set of values, mergeable without loss of stability.
 *
 * <p>Each chunk computes its sums around its own mean (a two-pass loop over data that is still in cache), and
 * chunks are combined with the pairwise update formulas of Chan et al. extended to the third and fourth moment by
 * Pébay (2008). Summing raw powers instead would cancel catastrophically for tensors whose mean is large
 * compared with their spread.
 */
final class Moments {
    long n;
    double mean;
    double m2;
    double m3;
    double m4;

    /** Sums around {@code center} of {@code n} values: s1 = Σd, s2 = Σd², s3 = Σd³, s4 = Σd⁴ with d = x − center. */
    static Moments ofCenteredSums(long n, double center, double s1, double s2, double s3, double s4) {
        Moments m = new Moments();
        if (n == 0) return m;
        // The center is only approximately the mean (it was rounded); shift the sums to the exact mean.
        double delta = s1 / n;
        m.n = n;
        m.mean = center + delta;
        double d2 = delta * delta;
        m.m2 = Math.max(0, s2 - n * d2);
        m.m3 = s3 - 3 * delta * s2 + 2 * n * d2 * delta;
        m.m4 = Math.max(0, s4 - 4 * delta * s3 + 6 * d2 * s2 - 3 * n * d2 * d2);
        return m;
    }

    /** Adds {@code b} into this (Pébay's pairwise formulas). */
    void merge(Moments b) {
        if (b.n == 0) return;
        if (n == 0) {
            n = b.n; mean = b.mean; m2 = b.m2; m3 = b.m3; m4 = b.m4;
            return;
        }
        double na = n, nb = b.n, nt = na + nb;
        double delta = b.mean - mean;
        double d2 = delta * delta;
        double newM2 = m2 + b.m2 + d2 * na * nb / nt;
        double newM3 = m3 + b.m3 + d2 * delta * na * nb * (na - nb) / (nt * nt)
                + 3 * delta * (na * b.m2 - nb * m2) / nt;
        double newM4 = m4 + b.m4 + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (nt * nt * nt)
                + 6 * d2 * (na * na * b.m2 + nb * nb * m2) / (nt * nt)
                + 4 * delta * (na * b.m3 - nb * m3) / nt;
        mean += delta * nb / nt;
        n += b.n;
        m2 = newM2;
        m3 = newM3;
        m4 = newM4;
    }

    /** Population standard deviation. */
    double std() { return n == 0 ? Double.NaN : Math.sqrt(m2 / n); }

    /** Excess kurtosis; NaN when the values do not vary (the fourth standardized moment is 0/0). */
    double excessKurtosis() {
        if (n == 0 || m2 == 0) return Double.NaN;
        return n * m4 / (m2 * m2) - 3;
    }
}
