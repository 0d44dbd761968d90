package dev.quantscope.eval.sweep;

import java.util.List;
import java.util.Locale;

/**
 * Whether a sweep's generation speeds tell its points apart, or differ by no more than the measurements scatter.
 * Each point's speed is the median of repeated runs; half its runs' interquartile range, relative to their middle
 * ({@link RateSpread#relativeHalfWidth()}), is its scatter, and the sweep's noise is the widest scatter among its
 * points (one point timed while the machine was busy is as uncertain as its runs say, wherever it sits). The runs
 * of one point follow each other within a fraction of a second, while points are timed seconds or minutes apart,
 * with other load and the JIT's work changing in between, so points differ by more than their own runs do: a
 * difference is taken as real only beyond twice the noise. The speeds are within noise when the slowest and the
 * fastest point's bands m·(1 ± 2·noise) overlap: then every ordering of the points by speed could be an accident
 * of when each was timed, and a Pareto front drawn from it would rank noise. On a small model (stories260K runs a
 * token in well under a millisecond, on cores shared with other work) that is the usual case; on a model whose
 * runs take seconds the kernels' real differences show through.
 *
 * @param withinNoise whether no two points' speeds can be told apart
 * @param noise       the widest relative half-interquartile range among the points (0.08: ±8 %)
 * @param points      measured points judged
 */
public record SpeedNoise(boolean withinNoise, double noise, int points) {

    /** A difference between points counts beyond this many times the noise. */
    static final double BAND = 2;

    /** Judges the measured points among {@code points} (skipped ones have no speed). */
    public static SpeedNoise of(List<? extends SweepPoint> points) {
        double slowest = Double.POSITIVE_INFINITY, fastest = 0, noise = 0;
        int n = 0;
        for (SweepPoint p : points) {
            if (!(p instanceof SweepPoint.Measured m)) continue;
            double median = m.latency().generationTokensPerSecond();
            if (!(median > 0)) continue;
            n++;
            slowest = Math.min(slowest, median);
            fastest = Math.max(fastest, median);
            noise = Math.max(noise, m.latency().generationSpread().relativeHalfWidth());
        }
        // One point has nothing to be told apart from; otherwise the bands of the two extremes.
        double band = BAND * noise;
        boolean within = n >= 2 && fastest * (1 - band) <= slowest * (1 + band);
        return new SpeedNoise(within, noise, n);
    }

    /** The sentence a chart or a table shows, or "" when the speeds tell the points apart. */
    public String note() {
        return withinNoise ? String.format(Locale.ROOT,
                "Speed differences on this model are within measurement noise (±%.0f %%)", 100 * noise) : "";
    }
}
