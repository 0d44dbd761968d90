package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.SparsityRule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The points of a sweep over sparsities and pruning methods, beside quantization schemes: one
 * {@link dev.quantscope.eval.sweep.Sweep} measures them all, so the quantized, pruned and pruned-then-quantized
 * variants of a model land in one table and one chart, cached alike.
 */
public final class SparsitySweep {
    private SparsitySweep() {}

    /** The model as it is: the dense end of every curve, KL divergence 0 by definition, measured like any point. */
    public static final SweepScheme DENSE = SweepScheme.of(Keep.INSTANCE);

    /**
     * {@code quantizations} as they are; then for each non-zero pattern and each method (pattern first, so one
     * sparsity's methods sit together) the pruned model, followed by it quantized with each of {@code quantizations}.
     * A sparsity of 0 prunes nothing: it adds the {@link #DENSE} point (when there are no quantizations, whose own
     * points are then the unpruned ones) instead of one identical point per method. Duplicates are dropped.
     */
    public static List<SweepScheme> schemes(List<SweepScheme> quantizations, List<SparsityPattern> patterns,
                                            List<PruneMethod> methods) {
        Set<SweepScheme> out = new LinkedHashSet<>();
        boolean dense = patterns.stream().anyMatch(p -> p.sparsity() == 0);
        if (dense && quantizations.isEmpty()) out.add(DENSE);
        out.addAll(quantizations);
        for (SparsityPattern pattern : patterns) {
            if (pattern.sparsity() == 0) continue;
            for (PruneMethod method : methods) {
                SparsityRule rule = new SparsityRule(method, pattern);
                out.add(new SweepScheme.Pruned(rule));
                for (SweepScheme q : quantizations) {
                    if (!(q instanceof SweepScheme.Pruned)) out.add(new SweepScheme.Pruned(rule, Optional.of(q)));
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** "0.1,0.5,2:4" as patterns, in order. @throws IllegalArgumentException naming a bad entry */
    public static List<SparsityPattern> parsePatterns(List<String> texts) {
        return texts.stream().filter(t -> !t.isBlank()).map(SparsityPattern::parse).toList();
    }

    /** "magnitude,wanda" as methods, in order, each once. @throws IllegalArgumentException naming a bad entry */
    public static List<PruneMethod> parseMethods(List<String> texts) {
        return texts.stream().filter(t -> !t.isBlank()).map(PruneMethod::parse).distinct().toList();
    }

    /** 0 %, 10 % … 90 %: the curve a first sweep draws. */
    public static List<SparsityPattern> tenPercentSteps() {
        List<SparsityPattern> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) out.add(new SparsityPattern.Unstructured(i / 10.0));
        return out;
    }
}
