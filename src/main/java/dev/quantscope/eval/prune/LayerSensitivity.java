package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.Accuracy;
import dev.quantscope.eval.sweep.BaseSide;
import dev.quantscope.eval.sweep.SweepCalibration;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.format.Model;
import dev.quantscope.pipeline.export.InMemoryQuantizer;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.recipe.TensorPattern;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-layer sensitivity: each tensor (or block) pruned alone, everything else dense, and its KL divergence against
 * the dense model measured over a text. The tall ones are the layers to spare (prune less, or not at all) in a
 * recipe. Wanda and SparseGPT prune the unit from the calibration text as a whole-model run would: the blocks before
 * it are dense here, so the figure is the unit's own cost, not its cost after the others.
 */
public final class LayerSensitivity {
    private LayerSensitivity() {}

    /** Progress units per unit scanned, split between pruning and the comparison. */
    static final long UNIT = 1000;
    private static final long PRUNE = 500;

    /** "blk.3.", "model.layers.3.", "transformer.h.3.": the block a tensor belongs to, as its name's prefix. */
    private static final Pattern BLOCK = Pattern.compile("^(.*?\\b(?:blk|layers|layer|h|blocks|block)\\.\\d+)\\.");

    /** What a scan prunes: the units in the model's order, each its tensors, or why it cannot be pruned. */
    record Unit(String name, List<String> tensors, long weights, Optional<String> problem) {}

    /**
     * The units {@code sparsity} can prune, grouped by {@code unit}: the matrices a whole-model rule would prune
     * ({@link Plans#prunable}), and those it cannot (rows that do not split into N:M groups, a quantized source)
     * with the reason.
     */
    static List<Unit> units(Model base, SparsityRule sparsity, SensitivityUnit unit) {
        ModelPlan all = Plans.resolve(Recipe.of(Keep.INSTANCE, Rule.pruning("*", sparsity)), base);
        Map<String, List<TensorPlan>> groups = new LinkedHashMap<>();
        for (TensorPlan p : all.tensors()) {
            boolean candidate = p.pruning().isPresent()
                    || p.problem().isPresent() && base.tensor(p.name()).map(Plans::prunable).orElse(false);
            if (candidate) groups.computeIfAbsent(unitName(p.name(), unit), _ -> new ArrayList<>()).add(p);
        }
        List<Unit> out = new ArrayList<>();
        for (Map.Entry<String, List<TensorPlan>> e : groups.entrySet()) {
            List<TensorPlan> members = e.getValue();
            Optional<String> problem = members.stream().filter(p -> p.problem().isPresent()).findFirst()
                    .map(p -> p.name() + " " + p.problem().orElseThrow());
            long weights = members.stream().mapToLong(TensorPlan::elements).sum();
            out.add(new Unit(e.getKey(), members.stream().map(TensorPlan::name).toList(), weights, problem));
        }
        return out;
    }

    static String unitName(String tensor, SensitivityUnit unit) {
        return switch (unit) {
            case TENSOR -> tensor;
            case BLOCK -> {
                Matcher m = BLOCK.matcher(tensor);
                yield m.find() ? m.group(1) : tensor;
            }
        };
    }

    /**
     * Scans every unit in the model's order; each point goes to {@code listener} when ready, on the calling thread.
     * @throws java.util.concurrent.CancellationException when cancelled; points delivered so far stay delivered
     * @throws IllegalArgumentException when the text is too short for two windows, or no tensor can be pruned
     */
    public static SensitivityResult run(Model base, SensitivityRequest request, Consumer<SensitivityPoint> listener,
                                        ProgressMonitor monitor) throws IOException {
        Optional<String> missing = SweepCalibration.missing(new SweepScheme.Pruned(request.sparsity()),
                request.calibration());
        if (missing.isPresent()) throw new IllegalArgumentException(missing.get() + ".");
        List<Unit> units = units(base, request.sparsity(), request.unit());
        if (units.isEmpty()) throw new IllegalArgumentException("The model has no weight matrix to prune.");
        long total = (units.size() + 1) * UNIT;
        List<SensitivityPoint> points = new ArrayList<>(units.size());
        try (BaseSide dense = BaseSide.over(base, request.text(), request.ctx(), request.chunks(), request.threads())) {
            dense.prepare(new ProgressSlice(monitor, 0, UNIT, total));
            for (int i = 0; i < units.size(); i++) {
                monitor.checkCancelled();
                Unit u = units.get(i);
                long start = (i + 1) * UNIT;
                SensitivityPoint point = u.problem().isPresent()
                        ? new SensitivityPoint.Skipped(i, u.name(), u.problem().get())
                        : measure(base, dense, u, i, request, monitor, start, total);
                monitor.progress(start + UNIT, total);
                points.add(point);
                listener.accept(point);
            }
        }
        return new SensitivityResult(request.sparsity(), request.unit(), points);
    }

    private static SensitivityPoint measure(Model base, BaseSide dense, Unit u, int index, SensitivityRequest request,
                                            ProgressMonitor monitor, long start, long total) throws IOException {
        List<Rule> rules = u.tensors().stream().map(t -> Rule.pruning(exactly(t), request.sparsity())).toList();
        ModelPlan plan = Plans.resolve(Recipe.of(Keep.INSTANCE, rules.toArray(Rule[]::new)), base);
        try (Model pruned = InMemoryQuantizer.quantize(base, plan, null, request.calibration(), request.threads(),
                new ProgressSlice(monitor, start, PRUNE, total))) {
            monitor.checkCancelled();
            Accuracy accuracy = Accuracy.of(dense.compare(pruned, new ProgressSlice(monitor, start + PRUNE,
                    UNIT - PRUNE, total)));
            return new SensitivityPoint.Measured(index, u.name(), u.tensors(), u.weights(), accuracy);
        }
    }

    /** A pattern matching {@code name} alone, whatever characters it holds. */
    private static String exactly(String name) {
        return name.indexOf('*') < 0 && name.indexOf('?') < 0 && !name.startsWith(TensorPattern.REGEX_PREFIX)
                ? name : TensorPattern.REGEX_PREFIX + "^" + Pattern.quote(name) + "$";
    }
}
