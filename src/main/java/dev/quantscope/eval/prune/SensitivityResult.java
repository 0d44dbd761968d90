package dev.quantscope.eval.prune;

import dev.quantscope.recipe.SparsityRule;

import java.util.Comparator;
import java.util.List;

/** A finished sensitivity scan: one point per unit, in the model's order. */
public record SensitivityResult(SparsityRule sparsity, SensitivityUnit unit, List<SensitivityPoint> points) {
    public SensitivityResult {
        points = List.copyOf(points);
    }

    public List<SensitivityPoint.Measured> measured() { return measured(points); }

    /** The {@code n} units whose pruning costs most (highest mean KL divergence): the ones to spare. */
    public List<SensitivityPoint.Measured> mostSensitive(int n) { return mostSensitive(points, n); }

    /** The measured ones of {@code points} (e.g. those delivered so far). */
    public static List<SensitivityPoint.Measured> measured(List<SensitivityPoint> points) {
        return points.stream().filter(p -> p instanceof SensitivityPoint.Measured)
                .map(p -> (SensitivityPoint.Measured) p).toList();
    }

    /** {@link #mostSensitive(int)} of any list of points, e.g. those delivered so far. */
    public static List<SensitivityPoint.Measured> mostSensitive(List<SensitivityPoint> points, int n) {
        return measured(points).stream()
                .sorted(Comparator.comparingDouble((SensitivityPoint.Measured m) -> m.accuracy().kldMean()).reversed())
                .limit(n).toList();
    }
}
