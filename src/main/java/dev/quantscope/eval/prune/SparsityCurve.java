package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One method's line of a sparsity sweep (optionally quantized after pruning): its measured points by sparsity, the
 * unpruned point at sparsity 0 when the sweep has one, and its N:M points apart (they are sparsities too, but of
 * another kind, so a chart marks them instead of joining them to the line).
 *
 * @param method       how the line's points were pruned
 * @param quantization the scheme they were quantized with after pruning, if any
 * @param line         unstructured points (and the unpruned one), by increasing sparsity
 * @param nOfM         N:M points, by increasing sparsity
 */
public record SparsityCurve(PruneMethod method, Optional<SweepScheme> quantization, List<Point> line, List<Point> nOfM) {

    /** A measured point at its sparsity. */
    public record Point(SparsityPattern pattern, SweepPoint.Measured measured) {
        public Point {
            Objects.requireNonNull(pattern);
            Objects.requireNonNull(measured);
        }
    }

    public SparsityCurve {
        Objects.requireNonNull(method);
        Objects.requireNonNull(quantization);
        line = List.copyOf(line);
        nOfM = List.copyOf(nOfM);
    }

    /** "wanda", or "wanda + Q4_K_M" when pruned then quantized. */
    public String label() { return method.id() + quantization.map(q -> " + " + q.label()).orElse(""); }

    /**
     * The curves of a sweep's points: {@code schemes} are the request's, in order, so a point's index names its
     * scheme (a sweep without an importance matrix). Skipped points are left out; each method's line starts at its
     * unpruned point (the dense model, or the quantized one) when the sweep measured it.
     */
    public static List<SparsityCurve> of(List<SweepScheme> schemes, List<SweepPoint> points) {
        Map<SweepScheme, SweepPoint.Measured> unpruned = new LinkedHashMap<>();
        record Line(PruneMethod method, Optional<SweepScheme> quantization) {}
        Map<Line, List<Point>> lines = new LinkedHashMap<>(), patterns = new LinkedHashMap<>();
        for (SweepPoint p : points) {
            if (!(p instanceof SweepPoint.Measured m) || p.imatrix() || p.index() >= schemes.size()) continue;
            switch (schemes.get(p.index())) {
                case SweepScheme.Pruned pruned -> {
                    Line key = new Line(pruned.sparsity().method(), pruned.then());
                    SparsityPattern pattern = pruned.sparsity().pattern();
                    (pattern instanceof SparsityPattern.NOfM ? patterns : lines)
                            .computeIfAbsent(key, _ -> new ArrayList<>()).add(new Point(pattern, m));
                    lines.computeIfAbsent(key, _ -> new ArrayList<>());
                }
                case SweepScheme.PresetScheme s -> unpruned.put(s, m);
                case SweepScheme.SingleScheme s -> unpruned.put(s, m);
                case SweepScheme.CustomRecipe s -> unpruned.put(s, m);
            }
        }
        Comparator<Point> bySparsity = Comparator.comparingDouble(pt -> pt.pattern().sparsity());
        List<SparsityCurve> out = new ArrayList<>();
        for (Map.Entry<Line, List<Point>> e : lines.entrySet()) {
            List<Point> line = new ArrayList<>(e.getValue());
            SweepScheme start = e.getKey().quantization().orElse(SparsitySweep.DENSE);
            if (unpruned.containsKey(start)) line.add(new Point(new SparsityPattern.Unstructured(0), unpruned.get(start)));
            line.sort(bySparsity);
            List<Point> groups = new ArrayList<>(patterns.getOrDefault(e.getKey(), List.of()));
            groups.sort(bySparsity);
            out.add(new SparsityCurve(e.getKey().method(), e.getKey().quantization(), line, groups));
        }
        return out;
    }
}
