package dev.quantscope.eval.prune;

import dev.quantscope.recipe.SparsityRule;

import java.util.Comparator;
import java.util.List;

/** A finished sensitivity scan: one point per unit, in the model's order. */
public record SensitivityResult(SparsityRule sparsity, SensitivityUnit unit, List<SensitivityPoint> points) {
    public SensitivityResult {
        points = List.copyOf(points);
    }

    public List<SensitivityPoint.Measured> measured() {
        return points.stream().filter(p -> p instanceof SensitivityPoint.Measured)
                .map(p -> (SensitivityPoint.Measured) p).toList();
    }

    /** The {@code n} units whose pruning costs most (highest mean KL divergence): the ones to spare. */
    public List<SensitivityPoint.Measured> mostSensitive(int n) {
        return measured().stream()
                .sorted(Comparator.comparingDouble((SensitivityPoint.Measured m) -> m.accuracy().kldMean()).reversed())
                .limit(n).toList();
    }
}
