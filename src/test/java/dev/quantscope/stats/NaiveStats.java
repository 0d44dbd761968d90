package dev.quantscope.stats;

import java.util.Arrays;

/**
 * The obvious, slow reference: every finite value in a double array, sorted, with two-pass double moments.
 * Independent of the engine's code except for the percentile definition, which is restated here.
 */
record NaiveStats(long count, long nanCount, double min, double max, double mean, double std, double absMax,
                  double zeroFraction, double kurtosis, double outlierFraction, double[] percentiles,
                  double[] sorted) {

    static NaiveStats of(float[] values) {
        double[] x = new double[values.length];
        int n = 0;
        for (float v : values) if (Float.isFinite(v)) x[n++] = v;
        x = Arrays.copyOf(x, n);
        Arrays.sort(x);
        long nan = values.length - n;
        double sum = 0;
        long zeros = 0;
        for (double v : x) {
            sum += v;
            if (v == 0) zeros++;
        }
        double mean = sum / n;
        double m2 = 0, m4 = 0;
        for (double v : x) {
            double d = v - mean;
            m2 += d * d;
            m4 += d * d * d * d;
        }
        double std = Math.sqrt(m2 / n);
        double kurt = m2 == 0 ? Double.NaN : n * m4 / (m2 * m2) - 3;
        long outliers = 0;
        if (std > 0) for (double v : x) if (Math.abs(v - mean) > 6 * std) outliers++;
        double[] levels = {0.1, 1, 50, 99, 99.9};
        double[] pct = new double[levels.length];
        for (int i = 0; i < levels.length; i++) {
            double h = (n - 1) * levels[i] / 100.0;
            int k = (int) Math.floor(h);
            double frac = h - k;
            pct[i] = frac == 0 ? x[k] : x[k] + frac * (x[k + 1] - x[k]);
        }
        return new NaiveStats(values.length, nan, x[0], x[n - 1], mean, std,
                Math.max(Math.abs(x[0]), Math.abs(x[n - 1])), zeros / (double) n, kurt, outliers / (double) n,
                pct, x);
    }
}
