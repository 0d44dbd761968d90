package dev.quantscope.prune.sparsegpt;

import java.util.Arrays;

/**
 * The unstructured mask of one block of columns: the {@code count} weights of lowest score across all rows of the
 * block, exactly that many (ties go to the lower index, row by row), where the reference takes everything at or below
 * the count-th score and so prunes one more, and more on ties.
 */
final class BlockMask {
    private BlockMask() {}

    /**
     * @param scores one score per weight of the block (rows × width, row-major)
     * @return {@code true} where a weight is removed
     */
    static boolean[] lowest(double[] scores, int count) {
        boolean[] mask = new boolean[scores.length];
        if (count <= 0) return mask;
        if (count >= scores.length) {
            Arrays.fill(mask, true);
            return mask;
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double threshold = sorted[count - 1];
        int taken = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < threshold) {
                mask[i] = true;
                taken++;
            }
        }
        for (int i = 0; i < scores.length && taken < count; i++) {
            if (scores[i] == threshold) {
                mask[i] = true;
                taken++;
            }
        }
        return mask;
    }
}
