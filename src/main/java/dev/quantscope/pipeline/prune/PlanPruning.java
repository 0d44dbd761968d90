package dev.quantscope.pipeline.prune;

import dev.quantscope.format.Model;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.prune.GlobalThreshold;
import dev.quantscope.prune.LayerwisePruning;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.PrunedModel;
import dev.quantscope.prune.SparseStorage;
import dev.quantscope.prune.SparsityMask;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.TensorPruner;
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
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies the prune steps of a {@link ModelPlan}, before anything is quantized: the one place where a plan's
 * sparsity rules become zeros, for file exports and sweeps alike.
 * <ul>
 *   <li>SparseGPT, and Wanda when a calibration text is given, run {@link LayerwisePruning block by block} over the
 *       text, each block seeing the activations of the blocks pruned before it (as both papers do); they need the
 *       model in memory as they go, so their tensors are pruned when {@link #prepare} runs;</li>
 *   <li>Wanda from an importance matrix, and magnitude, prune each tensor on its own ({@link TensorPruner}) when the
 *       converter reaches it ({@link #prune(TensorInfo, Arena)}): a streaming export holds one tensor at a time;</li>
 *   <li>a global magnitude rule sets one threshold over all the tensors it matches ({@link GlobalThreshold}, which
 *       reads them streamed while preparing), then each tensor is cut when it is reached.</li>
 * </ul>
 * Pruned tensors are encoded back in their source dtype (F32, F16 or BF16: {@code Plans} refuses other sources), so
 * the quantization that follows sees a model of the same types and sizes as the plan says.
 */
public final class PlanPruning implements AutoCloseable {

    /** Progress of {@link #prepare}: the calibrated block-by-block pass takes most of the time when there is one. */
    private static final long SCALE = 100, LAYERWISE_SHARE = 85;

    private final ModelPlan plan;
    private final Model model;
    private final PrunedModel layerwise; // null when no tensor is pruned block by block
    private final Map<String, SparsityRule> lazy;
    private final Map<String, GlobalThreshold.TensorCut> cuts;
    private final PruneCalibration calibration;
    private final Map<String, PrunedTensor> measured = new ConcurrentHashMap<>();

    private PlanPruning(ModelPlan plan, Model model, PrunedModel layerwise, Map<String, SparsityRule> lazy,
                        Map<String, GlobalThreshold.TensorCut> cuts, PruneCalibration calibration) {
        this.plan = plan;
        this.model = model;
        this.layerwise = layerwise;
        this.lazy = lazy;
        this.cuts = cuts;
        this.calibration = calibration;
    }

    /**
     * Runs what must run before any tensor is converted (the block-by-block pass, the global thresholds).
     *
     * @throws IllegalArgumentException when a calibrated method has no calibration (naming what to give), the plan has
     *                                  problems, or a tensor cannot be pruned
     * @throws java.util.concurrent.CancellationException when cancelled; nothing stays allocated
     */
    public static PlanPruning prepare(Model base, ModelPlan plan, PruneCalibration calibration, int threads,
                                      ProgressMonitor monitor) throws IOException {
        if (!plan.problems().isEmpty()) {
            TensorPlan p = plan.problems().getFirst();
            throw new IllegalArgumentException(p.name() + ": " + p.problem().orElseThrow());
        }
        Map<String, TensorPlan> layerwise = new LinkedHashMap<>();
        Map<String, SparsityRule> lazy = new LinkedHashMap<>();
        Map<SparsityRule, List<TensorPlan>> global = new LinkedHashMap<>();
        for (TensorPlan p : plan.tensors()) {
            Optional<SparsityRule> rule = p.pruning();
            if (rule.isEmpty()) continue;
            SparsityRule r = rule.get();
            if (r.method() == PruneMethod.SPARSEGPT || r.method() == PruneMethod.WANDA && calibration.text().isPresent()) {
                layerwise.put(p.name(), p);
                continue;
            }
            lazy.put(p.name(), r);
            if (r.global()) global.computeIfAbsent(r, k -> new ArrayList<>()).add(p);
        }
        checkCalibration(layerwise.values(), lazy, calibration);

        PrunedModel pm = null;
        Model current = base;
        try {
            if (!layerwise.isEmpty()) {
                CalibrationChunks chunks = CalibrationChunks.ofText(base, calibration.text().orElseThrow(),
                        calibration.contextSize(), calibration.maxTokens());
                pm = new LayerwisePruning(layerwise::containsKey, stepFor(layerwise, threads), threads)
                        .layerByLayer(base, chunks, new ProgressSlice(monitor, 0, LAYERWISE_SHARE, SCALE));
                current = pm.model();
            }
            Map<String, GlobalThreshold.TensorCut> cuts = new HashMap<>();
            for (Map.Entry<SparsityRule, List<TensorPlan>> g : global.entrySet()) {
                monitor.checkCancelled();
                List<GlobalThreshold.Source> sources = new ArrayList<>();
                for (TensorPlan p : g.getValue()) {
                    TensorInfo t = current.tensor(p.name()).orElseThrow();
                    sources.add(new GlobalThreshold.Source(p.name(), sink -> {
                        float[] w = Decoders.decodeAll(t); // one tensor at a time
                        sink.accept(w, 0, w.length);
                    }));
                }
                GlobalThreshold.Cut cut = GlobalThreshold.select(sources, (SparsityPattern.Unstructured) g.getKey().pattern());
                for (GlobalThreshold.TensorCut tc : cut.tensors()) cuts.put(tc.name(), tc);
            }
            PlanPruning pruning = new PlanPruning(plan, current, pm, lazy, cuts, calibration);
            if (pm != null) {
                for (String name : layerwise.keySet()) {
                    TensorInfo t = current.tensor(name).orElseThrow(); // SparseGPT's updates, rounded to the dtype
                    SparsityRule rule = layerwise.get(name).pruning().orElseThrow();
                    pruning.measured.put(name, measure(t, Decoders.decodeAll(t), rule));
                }
            }
            monitor.progress(SCALE, SCALE);
            return pruning;
        } catch (IOException | RuntimeException | Error e) {
            if (pm != null) pm.close();
            throw e;
        }
    }

    /**
     * The whole plan's pruning at once, into memory: {@link #prepare}, then every remaining tensor pruned into copies
     * the result owns. For sweeps and views, which run the pruned model; a file export streams instead.
     */
    public static PrunedBase prune(Model base, ModelPlan plan, PruneCalibration calibration, int threads,
                                   ProgressMonitor monitor) throws IOException {
        PlanPruning pruning = prepare(base, plan, calibration, threads, new ProgressSlice(monitor, 0, 9, 10));
        Arena arena = Arena.ofShared();
        try {
            List<TensorInfo> tensors = new ArrayList<>();
            int done = 0;
            for (TensorInfo t : pruning.model().tensors()) {
                if (pruning.prunesLazily(t.name())) {
                    monitor.checkCancelled();
                    tensors.add(pruning.prune(t, arena));
                    monitor.progress(9L * pruning.lazy.size() + ++done, 10L * pruning.lazy.size());
                } else {
                    tensors.add(t);
                }
            }
            Model m = pruning.model();
            Model pruned = new Model(m.source(), m.format(), tensors, m.metadata(), arena, m.details());
            List<AutoCloseable> owned = new ArrayList<>();
            if (pruning.layerwise != null) owned.add(pruning.layerwise);
            owned.add(pruned);
            return new PrunedBase(pruned, pruning.report(), owned);
        } catch (RuntimeException | Error e) {
            arena.close();
            pruning.close();
            throw e;
        }
    }

    /** The model to convert: the source, with the block-by-block pass's tensors already pruned. */
    public Model model() { return model; }

    /** Whether {@code name} is pruned when it is converted ({@link #prune(TensorInfo, Arena)}). */
    public boolean prunesLazily(String name) { return lazy.containsKey(name); }

    /**
     * {@code t} pruned, in its own dtype, in {@code arena}; its figures join {@link #report()}. Thread-safe: the
     * tensors of a plan may be pruned in any order, in parallel.
     */
    public TensorInfo prune(TensorInfo t, Arena arena) {
        SparsityRule r = lazy.get(t.name());
        if (r == null) throw new IllegalArgumentException(t.name() + " is not pruned tensor by tensor in this plan");
        float[] w = Decoders.decodeAll(t);
        int rows = rows(t), cols = cols(t);
        GlobalThreshold.TensorCut cut = cuts.get(t.name());
        if (cut != null) {
            cut.prune(w, rows, cols);
        } else {
            TensorPruner.prune(w, rows, cols, r.method(), r.pattern(),
                    r.method() == PruneMethod.WANDA ? columnSquares(calibration.imatrix().orElseThrow(), t) : null);
        }
        MemorySegment out = arena.allocate(t.byteSize(), 64);
        WritableCopies.format(t).encode(w, 0, w.length, out.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
        // w holds the stored values: pruning only zeroes weights the dtype already held exactly
        measured.put(t.name(), measure(t, w, r));
        return new TensorInfo(t.name(), t.shape(), t.dtype(), t.byteSize(), out);
    }

    /** Each pruned tensor's figures, in plan order (the lazily pruned ones once they have been pruned). */
    public List<PrunedTensor> report() {
        List<PrunedTensor> out = new ArrayList<>();
        for (TensorPlan p : plan.tensors()) {
            PrunedTensor t = measured.get(p.name());
            if (t != null) out.add(t);
        }
        return out;
    }

    /** Frees the block-by-block pass's copies. */
    @Override
    public void close() {
        if (layerwise != null) layerwise.close();
    }

    private static void checkCalibration(Iterable<TensorPlan> layerwise, Map<String, SparsityRule> lazy,
                                         PruneCalibration calibration) {
        for (TensorPlan p : layerwise) {
            if (calibration.text().isEmpty()) {
                throw new IllegalArgumentException(p.name() + ": SparseGPT prunes from the activations of a calibration "
                        + "text; give one (--text FILE)");
            }
        }
        for (Map.Entry<String, SparsityRule> e : lazy.entrySet()) {
            if (e.getValue().method() == PruneMethod.WANDA && calibration.imatrix().isEmpty()) {
                throw new IllegalArgumentException(e.getKey() + ": Wanda ranks weights by their inputs' norms; give a "
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

    /** Zeros and sparse sizes of {@code t}, whose stored values are {@code w}. */
    private static PrunedTensor measure(TensorInfo t, float[] w, SparsityRule rule) {
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
