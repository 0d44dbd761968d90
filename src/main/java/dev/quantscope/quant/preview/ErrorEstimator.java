package dev.quantscope.quant.preview;

import dev.quantscope.format.Model;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures plans' errors on one open model, remembering every (tensor, target) it has measured: presets share most
 * of their tensor types, so after the first preset the others mostly cost additions, and changing one rule of a
 * custom scheme re-measures only the tensors it moved. Thread-safe; callers hold the model open while it runs.
 */
public final class ErrorEstimator {
    private final Model model;
    private final Sampling sampling;
    private final long weights;
    private final Map<String, TensorInfo> tensors = new HashMap<>();
    private final Map<String, TensorSample> samples = new ConcurrentHashMap<>();
    private final Map<Key, ErrorSums> measured = new ConcurrentHashMap<>();

    private record Key(String tensor, Target target) {}

    public ErrorEstimator(Model model, Sampling sampling) {
        this.model = model;
        this.sampling = sampling;
        this.weights = model.parameterCount();
        for (TensorInfo t : model.tensors()) tensors.put(t.name(), t);
    }

    public Sampling sampling() { return sampling; }

    /** Whether this model's figures are exact rather than estimated from sampled rows. */
    public boolean exact() { return sampling.exactFor(weights); }

    public String describeSampling() { return sampling.describe(weights); }

    /** Every tensor's error under {@code plan}; cancellable between tensors. */
    public PlanError evaluate(ModelPlan plan, ProgressMonitor monitor) {
        List<PlanError.TensorError> out = new ArrayList<>(plan.tensors().size());
        ErrorSums total = ErrorSums.NONE;
        int done = 0;
        for (TensorPlan p : plan.tensors()) {
            monitor.checkCancelled();
            ErrorSums s = measure(p);
            out.add(new PlanError.TensorError(p, s));
            total = total.plus(s);
            monitor.progress(++done, plan.tensors().size());
        }
        return new PlanError(plan, out, total, exact());
    }

    /** Several plans, sharing the work; progress runs over all of them. */
    public List<PlanError> evaluateAll(List<ModelPlan> plans, ProgressMonitor monitor) {
        long total = plans.stream().mapToLong(p -> p.tensors().size()).sum();
        long[] base = {0};
        List<PlanError> out = new ArrayList<>(plans.size());
        for (ModelPlan plan : plans) {
            long offset = base[0];
            out.add(evaluate(plan, new ProgressMonitor() {
                @Override public void progress(long done, long of) { monitor.progress(offset + done, total); }
                @Override public boolean isCancelled() { return monitor.isCancelled(); }
            }));
            base[0] += plan.tensors().size();
        }
        return out;
    }

    /** One tensor's error sums under its target, extrapolated to the whole tensor when sampled. */
    public ErrorSums measure(TensorPlan p) {
        Key key = new Key(p.name(), p.changesValues() ? p.target() : Target.KEEP);
        ErrorSums known = measured.get(key);
        if (known != null) return known;
        TensorSample sample = sample(p.name(), p.rowLength());
        ErrorSums s;
        if (sample == null) {
            s = new ErrorSums(p.elements(), 0, 0, 0); // not decodable (integers, strings): nothing to measure
        } else {
            float[] q = key.target() instanceof Target.Unchanged ? sample.values()
                    : RoundTrip.apply(key.target(), sample.values(), sample.rowLength());
            s = ErrorSums.of(sample.values(), q).scaled(sample.weight());
        }
        measured.put(key, s);
        return s;
    }

    /** The sampled rows of a tensor (cached), or null when its type cannot be decoded. */
    public TensorSample sample(String name, long rowLength) {
        TensorSample s = samples.get(name);
        if (s != null) return s;
        TensorInfo t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        if (!t.decodable() || rowLength <= 0) return null;
        long rows = t.parameters() / rowLength;
        s = TensorSample.of(t, rowLength, sampling.rowsFor(rows, weights));
        samples.put(name, s);
        return s;
    }

    public Model model() { return model; }
}
