package dev.quantscope.app.prune;

import dev.quantscope.format.Model;
import dev.quantscope.pipeline.export.InMemoryQuantizer;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.pipeline.prune.PlanPruning;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.pipeline.prune.PrunedBase;
import dev.quantscope.pipeline.prune.PrunedTensor;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparseStorage;
import dev.quantscope.prune.SparsityMask;
import dev.quantscope.prune.TensorPruner;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.recipe.TensorPattern;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The Prune page's background work: a tensor's preview and the whole plan's run. Called off the FX thread. */
final class PruneWork {
    /** Why SparseGPT has no per-tensor preview. */
    static final String SPARSEGPT_NEEDS_RUN = "SparseGPT updates the weights it keeps from a calibration pass over "
            + "the whole model: press Prune model to see this tensor pruned.";

    private PruneWork() {}

    static int threads() { return Math.max(1, Runtime.getRuntime().availableProcessors()); }

    /**
     * {@code name} pruned as {@code plan} says. Magnitude prunes the tensor alone; Wanda runs the calibration text up
     * to its block (as the run does, but without the blocks before it pruned); a global threshold needs every tensor
     * it spans. SparseGPT is left to the run.
     */
    static TensorResult preview(Model model, ModelPlan plan, String name, PruneCalibration calibration,
                                ProgressMonitor monitor) {
        TensorPlan tp = plan.tensor(name).orElseThrow(() -> new IllegalArgumentException(name + " is not in the plan"));
        TensorInfo t = model.tensor(name).orElseThrow();
        float[] w = Decoders.decodeAll(t);
        double[] range = WeightHistogram.range(w);
        WeightHistogram before = WeightHistogram.of(w, range[0], range[1]);
        Optional<SparsityRule> rule = tp.pruning();
        if (rule.isEmpty()) {
            return new TensorResult(name, before, Optional.empty(), Optional.empty(), Optional.empty(),
                    tp.problem().map(p -> "Not pruned: " + p + ".").orElse("No rule prunes this tensor."), false,
                    Optional.empty());
        }
        SparsityRule r = rule.get();
        float[] after;
        if (r.method() == PruneMethod.SPARSEGPT) {
            return new TensorResult(name, before, Optional.empty(), Optional.empty(), Optional.empty(),
                    SPARSEGPT_NEEDS_RUN, false, Optional.empty());
        } else if (r.method() == PruneMethod.MAGNITUDE && !r.global()) {
            after = w.clone();
            TensorPruner.prune(after, rows(t), cols(t), r.method(), r.pattern(), null);
        } else {
            // Wanda's scores need the inputs' norms, a global threshold all its tensors: the engine's own pass.
            ModelPlan scope = r.global() ? plan : Plans.resolve(new Recipe("", AfterPruning.NONE.base(), List.of(
                    new Rule(TensorPattern.exactly(name), Optional.empty(), Optional.of(r)))), model);
            try (PrunedBase pruned = PlanPruning.prune(model, scope, calibration, threads(), monitor)) {
                after = Decoders.decodeAll(pruned.model().tensor(name).orElseThrow());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return measured(t, before, after, range, false, Optional.empty(), Optional.empty());
    }

    /**
     * The whole plan pruned (with its calibration), every pruned tensor measured; with a preset, the pruned model is
     * also quantized in memory and each tensor's zeros counted again on the values it then decodes to.
     */
    static PruneRun run(Model model, ModelPlan plan, AfterPruning after, PruneCalibration calibration,
                        String calibrationName, ProgressMonitor monitor) {
        boolean quantize = after instanceof AfterPruning.Quantized;
        long scale = 100, pruneShare = quantize ? 70 : 95;
        List<TensorResult> results = new ArrayList<>();
        try (PrunedBase pruned = PlanPruning.prune(model, plan, calibration, threads(),
                new ProgressSlice(monitor, 0, pruneShare, scale))) {
            List<PrunedTensor> tensors = pruned.tensors();
            List<Long> stored = quantize ? storedZeros(pruned, after, tensors,
                    new ProgressSlice(monitor, pruneShare, scale - pruneShare - 5, scale)) : List.of();
            ProgressMonitor measuring = new ProgressSlice(monitor, scale - 5, 5, scale);
            for (int i = 0; i < tensors.size(); i++) {
                measuring.checkCancelled();
                PrunedTensor p = tensors.get(i);
                TensorInfo source = model.tensor(p.name()).orElseThrow();
                float[] w = Decoders.decodeAll(source);
                double[] range = WeightHistogram.range(w);
                float[] a = Decoders.decodeAll(pruned.model().tensor(p.name()).orElseThrow());
                results.add(measured(source, WeightHistogram.of(w, range[0], range[1]), a, range, true,
                        quantize ? Optional.of(stored.get(i)) : Optional.empty(), Optional.of(p.storage())));
                measuring.progress(i + 1, tensors.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PruneRun(plan.recipe(), calibrationName, results);
    }

    /** Zeros of each pruned tensor once the pruned model is quantized as {@code after} says. */
    private static List<Long> storedZeros(PrunedBase pruned, AfterPruning after, List<PrunedTensor> tensors,
                                          ProgressMonitor monitor) {
        ModelPlan quantization = Plans.resolve(new Recipe("", after.base(), List.of()), pruned.model());
        Model quantized = InMemoryQuantizer.quantize(pruned.model(), quantization, threads(), monitor);
        try {
            List<Long> zeros = new ArrayList<>();
            for (PrunedTensor p : tensors) zeros.add(Decoders.countZeros(quantized.tensor(p.name()).orElseThrow()));
            return zeros;
        } finally {
            quantized.close();
        }
    }

    /**
     * @param storage the sparse sizes when the pruning measured them already (a run's {@link PrunedTensor}), else
     *                they are computed from the mask of {@code after} (a preview)
     */
    private static TensorResult measured(TensorInfo t, WeightHistogram before, float[] after, double[] range,
                                         boolean run, Optional<Long> storedZeros, Optional<SparseStorage> storage) {
        SparsityMask mask = SparsityMask.of(after, rows(t), cols(t));
        int valueBytes = (int) Math.max(1, t.dtype().byteSize(1));
        return new TensorResult(t.name(), before, Optional.of(WeightHistogram.of(after, range[0], range[1])),
                Optional.of(mask), Optional.of(storage.orElseGet(() -> SparseStorage.of(mask, valueBytes))), "", run,
                storedZeros);
    }

    private static int rows(TensorInfo t) { return Math.toIntExact(t.shape().rows()); }

    private static int cols(TensorInfo t) { return Math.toIntExact(t.shape().rowLength()); }
}
