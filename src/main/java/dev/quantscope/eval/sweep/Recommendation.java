package dev.quantscope.eval.sweep;

import java.util.List;
import java.util.Optional;

/**
 * The answer to "fit my device": the point to use, if any, why, and what was left out and why.
 *
 * @param choice      the most accurate point that fits (empty when none does)
 * @param explanation one or two sentences for the user
 * @param excluded    every other point that was ruled out, with its reason
 */
public record Recommendation(Optional<SweepPoint.Measured> choice, String explanation, List<Exclusion> excluded) {

    public Recommendation {
        excluded = List.copyOf(excluded);
    }

    /** Why {@code point} was ruled out. */
    public record Exclusion(SweepPoint point, Reason reason, String detail) {}

    public enum Reason {
        /** Its weights take more than the budget. */
        TOO_LARGE,
        /** Its mean KL divergence is over the limit. */
        TOO_INACCURATE,
        /** The sweep could not measure it (preset not applicable, rows a block type cannot store). */
        NOT_MEASURED
    }
}
