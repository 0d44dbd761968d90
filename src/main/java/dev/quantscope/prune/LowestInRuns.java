package dev.quantscope.prune;

import java.util.Arrays;

/**
 * Prunes the lowest-scoring weights of runs of a row: a whole row (Wanda, unstructured) or every N:M group. Sorting
 * packed (score bits, position) keys orders a run totally, equal scores by position, so the lower index is pruned
 * first and every count is exact. Scalar on purpose: selection is compares and branches, not a SIMD job.
 */
final class LowestInRuns {
    private LowestInRuns() {}

    /**
     * The mask that prunes, in every run of {@code run} consecutive weights of every row of {@code w}, the
     * {@code pruned} with the lowest {@code score}; {@code run} divides {@code cols}.
     */
    static SparsityMask mask(float[] w, int rows, int cols, WeightScore score, int run, int pruned) {
        long[] kept = SparsityMask.allKeptBits(w.length);
        if (pruned == 0) return new SparsityMask(rows, cols, kept);
        long[] keys = new long[run];
        for (int start = 0; start < w.length; start += run) {
            int firstCol = start % cols;
            for (int i = 0; i < run; i++) {
                keys[i] = (long) WeightScore.key(score.of(w[start + i], firstCol + i)) << 32 | i;
            }
            Arrays.sort(keys);
            for (int i = 0; i < pruned; i++) {
                SparsityMask.prune(kept, start + (int) keys[i]); // the low half of a key is its place in the run
            }
        }
        return new SparsityMask(rows, cols, kept);
    }
}
