package dev.quantscope.eval.classifier;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.AccuracyResult;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.ParameterTensor;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparseLayoutSize;
import dev.quantscope.prune.SparseStorage;
import dev.quantscope.prune.SparsityMask;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.TensorPruner;
import dev.quantscope.prune.sparsegpt.SparseGpt;
import dev.quantscope.quant.preset.PresetNotApplicableException;
import dev.quantscope.quant.preset.PresetRules;
import dev.quantscope.quant.preview.RoundTrip;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/** Applies {@link ClassifierVariant}s to a classifier and measures each on a test set. */
public final class ClassifierCompression {
    /** Calibration images for Wanda and SparseGPT: as many as the papers' 128 × 2048 tokens are more than enough here. */
    public static final int CALIBRATION_IMAGES = 1024;

    private ClassifierCompression() {}

    /** A variant applied: the stored classifier read back, its size, and what fell back or could not be applied. */
    public record Stored(Classifier classifier, long bytes, double bitsPerWeight, double sparsity, List<String> notes) {}

    /**
     * The variants a new user sees first: the original; F16, 8-bit (Q8_0, INT8 per row, FP8), 4-bit (INT4 g32,
     * NF4, FP4, Q4_0), 3- and 2-bit integer grids and ternary; and 50 % and 2:4 pruning by each method.
     */
    public static List<ClassifierVariant> defaults() {
        List<ClassifierVariant> variants = new ArrayList<>();
        variants.add(new ClassifierVariant.Original());
        for (String id : List.of("cast:F16", "ggml:Q8_0", "int8-sym-row-rtn", "fp8-e4m3-row", "int4-sym-g32-rtn",
                "nf4-b64", "fp4-e2m1-b32", "ggml:Q4_0", "int3-asym-g32-mse", "int2-asym-g16-mse", "ternary-row")) {
            variants.add(new ClassifierVariant.Quantized(QuantScheme.parse(id)));
        }
        for (SparsityPattern pattern : List.of(SparsityPattern.parse("50%"), SparsityPattern.parse("2:4"))) {
            for (PruneMethod method : PruneMethod.values()) variants.add(new ClassifierVariant.Pruned(method, pattern));
        }
        return List.copyOf(variants);
    }

    /** The classifier as stored under {@code variant} and read back (a new classifier; the original is untouched). */
    public static Stored apply(Classifier original, ClassifierVariant variant, LabeledImages calibration, int threads) {
        Classifier copy = original.copy();
        List<WeightMatrix> matrices = WeightMatrix.of(original.architecture());
        return switch (variant) {
            case ClassifierVariant.Original o -> new Stored(copy, denseBytes(original, 4), 32, 0, List.of());
            case ClassifierVariant.Quantized q -> quantize(copy, matrices, q.scheme());
            case ClassifierVariant.Pruned p -> prune(copy, matrices, p, calibration, threads);
        };
    }

    /** Measures every variant on {@code test}, in order; calibration images feed Wanda and SparseGPT. */
    public static List<ClassifierPoint> sweep(Classifier original, List<ClassifierVariant> variants, LabeledImages test,
                                              LabeledImages calibration, int threads, ProgressMonitor monitor) {
        List<ClassifierPoint> points = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            monitor.checkCancelled();
            ProgressSlice slice = new ProgressSlice(monitor, i, 1, variants.size());
            slice.progress(0, 1);
            Stored stored = apply(original, variants.get(i), calibration, threads);
            AccuracyResult accuracy = Accuracy.measure(stored.classifier(), test, threads, 0);
            points.add(new ClassifierPoint(variants.get(i), stored.bytes(), stored.bitsPerWeight(), stored.sparsity(),
                    accuracy.top1(), accuracy.top5(), stored.notes()));
            slice.progress(1, 1);
        }
        return List.copyOf(points);
    }

    private static Stored quantize(Classifier copy, List<WeightMatrix> matrices, QuantScheme scheme) {
        List<String> notes = new ArrayList<>();
        long bytes = otherBytes(copy, matrices), weightBits = 0, weights = 0;
        for (WeightMatrix m : matrices) {
            QuantScheme stored = storable(scheme, m, notes);
            float[] w = copy.tensor(m.tensor());
            float[] back = RoundTrip.apply(stored, w, m.cols());
            System.arraycopy(back, 0, w, 0, w.length);
            long size = stored.size(DType.F32, m.rows(), m.cols()).bytes();
            bytes = Math.addExact(bytes, size);
            weightBits = Math.addExact(weightBits, Math.multiplyExact(size, 8));
            weights += m.elements();
        }
        return new Stored(copy, bytes, (double) weightBits / weights, 0, List.copyOf(notes));
    }

    /** ggml's block types need whole blocks per row: llama-quantize's fallback type, else the row stays F32. */
    private static QuantScheme storable(QuantScheme scheme, WeightMatrix m, List<String> notes) {
        if (!(scheme instanceof GgmlBlock g) || scheme.unsupportedReason(m.cols()).isEmpty()) return scheme;
        try {
            DType fallback = PresetRules.fallback(m.tensor(), g.type(), m.cols());
            notes.add(m.tensor() + ": rows of " + m.cols() + " do not fit " + g.type() + ", stored as " + fallback);
            return fallback == DType.F16 ? QuantScheme.parse("cast:F16") : new GgmlBlock(fallback);
        } catch (PresetNotApplicableException e) {
            notes.add(m.tensor() + ": rows of " + m.cols() + " do not fit " + g.type() + ", kept F32");
            return Keep.INSTANCE;
        }
    }

    private static Stored prune(Classifier copy, List<WeightMatrix> matrices, ClassifierVariant.Pruned p,
                                LabeledImages calibration, int threads) {
        List<String> notes = new ArrayList<>();
        long other = otherBytes(copy, matrices), bytes = other, zeros = 0;
        LabeledImages images = calibration.slice(0, Math.min(CALIBRATION_IMAGES, calibration.count()));
        for (WeightMatrix m : matrices) {
            float[] w = copy.tensor(m.tensor());
            var problem = p.pattern().problem(m.cols());
            if (m.output() || problem.isPresent()) {
                notes.add(m.tensor() + (m.output() ? ": the output layer stays dense" : ": " + problem.get() + ", kept dense"));
                bytes = Math.addExact(bytes, Math.multiplyExact(m.elements(), 4));
                continue;
            }
            // Layer by layer, each calibrated on the inputs the layers already pruned produce (as SparseGPT does).
            switch (p.method()) {
                case MAGNITUDE -> TensorPruner.prune(w, m.rows(), m.cols(), PruneMethod.MAGNITUDE, p.pattern(), null);
                case WANDA -> TensorPruner.prune(w, m.rows(), m.cols(), PruneMethod.WANDA, p.pattern(),
                        LayerInputs.columnSquares(copy, m, images, threads));
                case SPARSEGPT -> SparseGpt.withThreads(threads).prune(w, m.rows(), m.cols(),
                        LayerInputs.hessian(copy, m, images, threads), p.pattern());
            }
            SparsityMask mask = SparsityMask.of(w, m.rows(), m.cols());
            // compressed-tensors' sparse-bitmask (values F32 + one bit per weight), a format QuantScope and HF read.
            bytes = Math.addExact(bytes, SparseStorage.of(mask, 4).layouts().stream()
                    .filter(l -> l instanceof SparseLayoutSize.Bitmask).findFirst().orElseThrow().bytes());
            zeros += mask.zeros();
        }
        // Every architecture ends in a Dense layer, so there are weights to divide by.
        long weights = matrices.stream().mapToLong(WeightMatrix::elements).sum();
        return new Stored(copy, bytes, 8.0 * (bytes - other) / weights, (double) zeros / weights, List.copyOf(notes));
    }

    /** F32 bytes of everything but the weight matrices (biases, batch norm). */
    private static long otherBytes(Classifier c, List<WeightMatrix> matrices) {
        long bytes = 0;
        for (ParameterTensor t : c.architecture().parameters()) {
            if (matrices.stream().noneMatch(m -> m.tensor().equals(t.name()))) bytes = Math.addExact(bytes, 4L * t.size());
        }
        return bytes;
    }

    private static long denseBytes(Classifier c, int bytesPerValue) {
        long bytes = 0;
        for (ParameterTensor t : c.architecture().parameters()) bytes = Math.addExact(bytes, (long) bytesPerValue * t.size());
        return bytes;
    }
}
