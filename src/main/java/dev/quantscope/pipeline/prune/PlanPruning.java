package dev.quantscope.pipeline.prune;

import dev.quantscope.format.Model;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.prune.GlobalThreshold;
import dev.quantscope.prune.LayerwisePruning;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.PrunedModel;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.TensorPruner;
import dev.quantscope.prune.SparseStorage;
import dev.quantscope.prune.SparsityMask;
import dev.quantscope.prune.WritableCopies;
import dev.quantscope.prune.calibration.CalibrationChunks;
import dev.quantscope.prune.calibration.Hessian;
import dev.quantscope.prune.sparsegpt.SparseGpt;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Applies the prune steps of a {@link ModelPlan}, before anything is quantized: the one place where a plan's
 * sparsity rules become zeros, for file exports and sweeps alike.
 * <ul>
 *   <li>SparseGPT, and Wanda when a calibration text is given, run {@link LayerwisePruning block by block} over the
 *       text, each block seeing the activations of the blocks pruned before it (as both papers do);</li>
 *   <li>Wanda from an importance matrix, and magnitude, prune each tensor on its own ({@link TensorPruner});</li>
 *   <li>a global magnitude rule sets one threshold over all the tensors it matches ({@link GlobalThreshold}).</li>
 * </ul>
 * Pruned tensors are written back in their source dtype (F32, F16 or BF16: {@code Plans} refuses other sources), so
 * the quantization that follows sees a model of the same types and sizes as the plan says.
 */
public final class PlanPruning {
    private PlanPruning() {}

    /** Progress: the calibrated block-by-block pass takes most of the time when there is one. */
    private static final long SCALE = 100, LAYERWISE_SHARE = 85;

    /**
     * @throws IllegalArgumentException when a calibrated method has no calibration (naming what to give), the plan has
     *                                  problems, or a tensor cannot be pruned
     * @throws java.util.concurrent.CancellationException when cancelled; nothing stays allocated
     */
    public static PrunedBase prune(Model base, ModelPlan plan, PruneCalibration calibration, int threads,
                                   ProgressMonitor monitor) throws IOException {
        if (!plan.problems().isEmpty()) {
            TensorPlan p = plan.problems().getFirst();
            throw new IllegalArgumentException(p.name() + ": " + p.problem().orElseThrow());
        }
        Map<String, TensorPlan> layerwise = new LinkedHashMap<>(), single = new LinkedHashMap<>();
        Map<SparsityRule, List<TensorPlan>> global = new LinkedHashMap<>();
        for (TensorPlan p : plan.tensors()) {
            Optional<SparsityRule> rule = p.pruning();
            if (rule.isEmpty()) continue;
            SparsityRule r = rule.get();
            if (r.global()) global.computeIfAbsent(r, k -> new ArrayList<>()).add(p);
            else if (r.method() == PruneMethod.SPARSEGPT
                    || r.method() == PruneMethod.WANDA && calibration.text().isPresent()) layerwise.put(p.name(), p);
            else single.put(p.name(), p);
        }
        checkCalibration(layerwise.values(), single.values(), calibration);

        List<AutoCloseable> owned = new ArrayList<>();
        Model current = base;
        try {
            if (!layerwise.isEmpty()) {
                CalibrationChunks chunks = CalibrationChunks.ofText(base, calibration.text().orElseThrow(),
                        calibration.contextSize(), calibration.maxTokens());
                PrunedModel pm = new LayerwisePruning(layerwise::containsKey, stepFor(layerwise, threads), threads)
                        .layerByLayer(base, chunks, new ProgressSlice(monitor, 0, LAYERWISE_SHARE, SCALE));
                owned.add(pm);
                current = pm.model();
            }
            Set<String> rest = new LinkedHashSet<>(single.keySet());
            global.values().forEach(ps -> ps.forEach(p -> rest.add(p.name())));
            if (!rest.isEmpty()) {
                WritableCopies copies = WritableCopies.of(current, rest);
                owned.add(copies.model());
                ProgressMonitor slice = new ProgressSlice(monitor, layerwise.isEmpty() ? 0 : LAYERWISE_SHARE,
                        layerwise.isEmpty() ? SCALE : SCALE - LAYERWISE_SHARE, SCALE);
                int done = 0;
                for (TensorPlan p : single.values()) {
                    slice.checkCancelled();
                    TensorInfo t = copies.tensor(p.name());
                    float[] w = copies.read(p.name());
                    SparsityRule r = p.pruning().orElseThrow();
                    TensorPruner.prune(w, rows(t), cols(t), r.method(), r.pattern(),
                            r.method() == PruneMethod.WANDA ? columnSquares(calibration.imatrix().orElseThrow(), t) : null);
                    copies.write(p.name(), w);
                    slice.progress(++done, rest.size());
                }
                for (Map.Entry<SparsityRule, List<TensorPlan>> g : global.entrySet()) {
                    List<GlobalThreshold.Source> sources = new ArrayList<>();
                    for (TensorPlan p : g.getValue()) {
                        sources.add(new GlobalThreshold.Source(p.name(), sink -> {
                            float[] w = copies.read(p.name());
                            sink.accept(w, 0, w.length);
                        }));
                    }
                    GlobalThreshold.Cut cut = GlobalThreshold.select(sources,
                            (SparsityPattern.Unstructured) g.getKey().pattern());
                    for (GlobalThreshold.TensorCut tc : cut.tensors()) {
                        slice.checkCancelled();
                        TensorInfo t = copies.tensor(tc.name());
                        float[] w = copies.read(tc.name());
                        tc.prune(w, rows(t), cols(t));
                        copies.write(tc.name(), w);
                        slice.progress(++done, rest.size());
                    }
                }
                current = copies.model();
            }
            List<PrunedTensor> report = new ArrayList<>();
            for (TensorPlan p : plan.tensors()) {
                if (p.pruning().isPresent()) report.add(measure(current.tensor(p.name()).orElseThrow(), p.pruning().get()));
            }
            return new PrunedBase(current, report, owned);
        } catch (IOException | RuntimeException | Error e) {
            new PrunedBase(current, List.of(), owned).close();
            throw e;
        }
    }

    private static void checkCalibration(Iterable<TensorPlan> layerwise, Iterable<TensorPlan> single,
                                         PruneCalibration calibration) {
        for (TensorPlan p : layerwise) {
            if (calibration.text().isEmpty()) {
                throw new IllegalArgumentException(p.name() + ": SparseGPT prunes from the activations of a calibration "
                        + "text; give one (--text FILE)");
            }
        }
        for (TensorPlan p : single) {
            if (p.pruning().orElseThrow().method() == PruneMethod.WANDA && calibration.imatrix().isEmpty()) {
                throw new IllegalArgumentException(p.name() + ": Wanda ranks weights by their inputs' norms; give a "
                        + "calibration text (--text FILE) or an importance matrix (--imatrix FILE)");
            }
        }
    }

    /** Per tensor, its plan's method: SparseGPT's update, or Wanda's mask from the Hessian's diagonal. */
    private static LayerwisePruning.MatrixPruner stepFor(Map<String, TensorPlan> plans, int threads) {
        SparseGpt solver = SparseGpt.withThreads(threads);
        return new LayerwisePruning.MatrixPruner() {
            @Override
            public Optional<String> problem(TensorInfo t) {
                SparsityPattern pattern = plans.get(t.name()).pruning().orElseThrow().pattern();
                return pattern.problem(t.shape().rowLength())
                        .map(p -> t.name() + " cannot be pruned to " + pattern.label() + ": " + p);
            }

            @Override
            public void prune(TensorInfo t, float[] w, Hessian h) {
                SparsityRule r = plans.get(t.name()).pruning().orElseThrow();
                switch (r.method()) {
                    case SPARSEGPT -> solver.prune(w, rows(t), cols(t), h.values(), r.pattern());
                    case WANDA -> TensorPruner.prune(w, rows(t), cols(t), PruneMethod.WANDA, r.pattern(),
                            toFloats(h.columnSquares()));
                    case MAGNITUDE -> TensorPruner.prune(w, rows(t), cols(t), PruneMethod.MAGNITUDE, r.pattern(), null);
                }
            }
        };
    }

    /** The importance matrix's mean x_j² per input column of {@code t}: what Wanda ranks by, up to a constant. */
    private static float[] columnSquares(ImatrixFile imatrix, TensorInfo t) {
        return imatrix.importance(t.name(), t.shape().rowLength(), 1).orElseThrow(() -> new IllegalArgumentException(
                t.name() + ": the importance matrix " + imatrix.name() + " has no entry for this tensor, so Wanda "
                        + "cannot rank its weights; compute one over this model (quantscope imatrix) or give --text"));
    }

    /** Zeros and sparse sizes of what {@code t} holds now, after its dtype's rounding. */
    private static PrunedTensor measure(TensorInfo t, SparsityRule rule) {
        float[] w = Decoders.decodeAll(t);
        long zeros = 0;
        for (float f : w) if (f == 0) zeros++;
        SparsityMask mask = SparsityMask.of(w, rows(t), cols(t));
        int valueBytes = Math.toIntExact(t.dtype().byteSize(1));
        return new PrunedTensor(t.name(), rule, w.length, zeros, SparseStorage.of(mask, valueBytes), OptionalLong.empty());
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static int rows(TensorInfo t) { return Math.toIntExact(t.shape().rows()); }

    private static int cols(TensorInfo t) { return Math.toIntExact(t.shape().rowLength()); }
}
