package dev.quantscope.prune.structured;

/** How a pruning ratio turns into a number of units to keep, and the sentences that refuse a ratio. */
final class Ratios {
    private Ratios() {}

    static void check(double ratio) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("A pruning ratio must lie strictly between 0 and 1, got " + ratio + ".");
        }
    }

    /**
     * How many of {@code n} units stay when the fraction {@code ratio} goes (rounded to the nearest unit).
     *
     * @param what the units in the plural, for the refusal ("FFN units")
     * @throws IllegalArgumentException when that leaves nothing, or removes nothing
     */
    static int kept(int n, double ratio, String what) {
        check(ratio);
        int removed = (int) Math.round(ratio * n);
        if (removed >= n) {
            throw new IllegalArgumentException("Removing " + percent(ratio) + " of " + n + " " + what
                    + " leaves none; choose a smaller ratio.");
        }
        if (removed == 0) {
            throw new IllegalArgumentException("Removing " + percent(ratio) + " of " + n + " " + what
                    + " rounds to none; choose a ratio of at least " + percent(0.5 / n) + ".");
        }
        return n - removed;
    }

    /**
     * {@link #kept} rounded to the nearest multiple of {@code alignment}, at least one multiple and below {@code n}.
     */
    static int keptAligned(int n, double ratio, int alignment, String what) {
        int kept = kept(n, ratio, what);
        if (alignment == 1) return kept;
        int aligned = (int) Math.round((double) kept / alignment) * alignment;
        if (aligned == 0) aligned = alignment;
        if (aligned >= n) aligned = (n - 1) / alignment * alignment;
        if (aligned <= 0) {
            throw new IllegalArgumentException("A width of " + n + " " + what + " has no smaller multiple of "
                    + alignment + "; choose a smaller alignment.");
        }
        return aligned;
    }

    static String percent(double ratio) {
        double p = Math.round(ratio * 1000) / 10.0;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + " %";
    }
}
