package dev.quantscope.quant.preview;

import dev.quantscope.format.Model;
import dev.quantscope.quant.metrics.ErrorAccumulator;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.TensorInfo;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures tensors' errors on one open model, remembering every (tensor, scheme) it has measured: presets share most
 * of their tensor types, so after the first preset the others mostly cost additions, and changing one rule of a
 * custom scheme re-measures only the tensors it moved. Thread-safe; callers hold the model open while it runs. A whole plan's
 * error is {@code dev.quantscope.pipeline.plan.PlanErrors}'s: plans are made from recipes, a layer above this one.
 */
public final class ErrorEstimator {
    private final Model model;
    private final Sampling sampling;
    private final long weights;
    private final Map<String, TensorInfo> tensors = new HashMap<>();
    private final Map<String, TensorSample> samples = new ConcurrentHashMap<>();
    private final Map<Key, ErrorMetrics> measured = new ConcurrentHashMap<>();

    private record Key(String tensor, QuantScheme scheme) {}

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

    /**
     * One tensor's error stored with {@code scheme} ({@code keep} when its values stay as they are), extrapolated to
     * the whole tensor when sampled.
     */
    public ErrorMetrics measure(String tensor, long rowLength, QuantScheme scheme) {
        Key key = new Key(tensor, scheme);
        ErrorMetrics known = measured.get(key);
        if (known != null) return known;
        long elements = tensors.get(tensor).parameters();
        TensorSample sample = sample(tensor, rowLength);
        ErrorMetrics s;
        if (sample == null) {
            // not decodable (integers, strings): kept as it is, nothing to measure
            s = new ErrorMetrics(elements, 0, 0, 0, 0, 0);
        } else {
            float[] q = RoundTrip.apply(key.scheme(), sample.values(), sample.rowLength());
            s = extrapolate(metrics(sample.values(), q), elements, sample.weight());
        }
        measured.put(key, s);
        return s;
    }

    /** The project's one MSE/SQNR computation ({@link ErrorAccumulator}) over x against q. */
    public static ErrorMetrics metrics(float[] x, float[] q) {
        if (x.length != q.length) throw new IllegalArgumentException("length mismatch");
        ErrorAccumulator acc = new ErrorAccumulator();
        acc.add(x, 0, q, 0, x.length);
        return acc.result();
    }

    /**
     * A sample's sums as if every element of the tensor had been measured: each sampled row stands for
     * {@code factor} rows, so the energies scale by it; the largest error seen stays what was seen.
     */
    static ErrorMetrics extrapolate(ErrorMetrics sample, long elements, double factor) {
        return new ErrorMetrics(elements, sample.signalEnergy() * factor, sample.errorEnergy() * factor,
                sample.dot() * factor, sample.quantEnergy() * factor, sample.maxAbsError());
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
