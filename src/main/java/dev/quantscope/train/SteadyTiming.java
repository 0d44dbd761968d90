package dev.quantscope.train;

import java.util.Arrays;

/**
 * Times of a repeated piece of work, as they come, telling when they have settled: the last {@link #WINDOW} lie within
 * {@link #SPREAD} of each other. Before the JIT compiles the work, times fall by one or two orders of magnitude; an
 * estimate taken from the settled ones is the time of the rest of the run.
 */
public final class SteadyTiming {
    /** Times looked at together. */
    static final int WINDOW = 8;
    /** The largest of the window over its smallest, at most. */
    static final double SPREAD = 1.5;

    private long[] nanos = new long[64];
    private int count;

    public void add(long elapsedNanos) {
        if (count == nanos.length) nanos = Arrays.copyOf(nanos, count * 2);
        nanos[count++] = elapsedNanos;
    }

    public int count() {
        return count;
    }

    /** Whether the last {@link #WINDOW} times lie within {@link #SPREAD} of each other. */
    public boolean steady() {
        if (count < WINDOW) return false;
        long min = Long.MAX_VALUE, max = 0;
        for (int i = count - WINDOW; i < count; i++) {
            min = Math.min(min, nanos[i]);
            max = Math.max(max, nanos[i]);
        }
        return max <= SPREAD * Math.max(1, min);
    }

    /** The median of the last {@link #WINDOW} times (of all of them when fewer), in nanoseconds; NaN when none. */
    public double typical() {
        if (count == 0) return Double.NaN;
        long[] last = Arrays.copyOfRange(nanos, Math.max(0, count - WINDOW), count);
        Arrays.sort(last);
        int n = last.length;
        return n % 2 == 1 ? last[n / 2] : (last[n / 2 - 1] + last[n / 2]) / 2.0;
    }
}
