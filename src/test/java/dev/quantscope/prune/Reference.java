package dev.quantscope.prune;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/** Slow, obviously right selections by sorting, to check the pruners against. */
final class Reference {
    private Reference() {}

    /** The positions of the {@code count} lowest of {@code scores[from, from + length)}, equal scores by lower position. */
    static int[] lowest(float[] scores, int from, int length, int count) {
        return IntStream.range(from, from + length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparingInt(i -> i))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }

    /** The mask that prunes, in every run of {@code run} weights, the {@code pruned} lowest scores. */
    static SparsityMask pruneLowestInRuns(float[] scores, int rows, int cols, int run, int pruned) {
        boolean[] gone = new boolean[scores.length];
        for (int start = 0; start < scores.length; start += run) {
            for (int i : lowest(scores, start, run, pruned)) gone[i] = true;
        }
        return maskOf(gone, rows, cols);
    }

    static SparsityMask maskOf(boolean[] pruned, int rows, int cols) {
        float[] ones = new float[pruned.length];
        for (int i = 0; i < ones.length; i++) ones[i] = pruned[i] ? 0 : 1;
        return SparsityMask.of(ones, rows, cols);
    }

    static float[] gaussian(int n, float scale, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) random.nextGaussian() * scale;
        return w;
    }

    /** Few distinct values, zeros among them, the way F16 weights of a small range repeat. */
    static float[] repeating(int n, int levels, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (random.nextInt(2 * levels + 1) - levels) / 8f;
        return w;
    }
}
