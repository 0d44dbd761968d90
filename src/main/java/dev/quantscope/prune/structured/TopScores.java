package dev.quantscope.prune.structured;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Which units stay: the highest-scoring ones, returned in their original order. */
final class TopScores {
    private TopScores() {}

    /** The indices of the {@code count} highest scores, ascending; ties go to the lower index. */
    static int[] keep(double[] scores, int count) {
        if (count < 1 || count > scores.length) throw new IllegalArgumentException("cannot keep " + count + " of " + scores.length);
        int[] kept = IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .limit(count).mapToInt(Integer::intValue).toArray();
        Arrays.sort(kept);
        return kept;
    }

    /** The indices of all but the {@code count} lowest scores, ascending; of equal scores the later one goes. */
    static int[] dropLowest(double[] scores, int count) {
        return keep(scores, scores.length - count);
    }
}
