package dev.quantscope.pipeline.export;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.pipeline.prune.PlanPruning;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.pipeline.prune.PrunedBase;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.job.Conversion;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.job.TensorTask;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Applies a resolved recipe to an open model in memory, without writing a file, so that a sweep can run the result
 * at once. The quantization is the schemes' own ({@link QuantScheme#quantize}, byte-exact ggml quantizers for
 * ggml block types):
 * <ul>
 *   <li>ggml block types and casts keep their real bytes and dtype, so the engine runs its quantized kernels and
 *       the speed measured is the speed of that format;</li>
 *   <li>the other schemes (integer grids, ternary, binary, small floats) have no kernel: their values are quantized,
 *       dequantized and held as F32, so accuracy is theirs but speed is that of F32 weights;</li>
 *   <li>kept tensors are the base's own views, not copied.</li>
 * </ul>
 * The result's arena holds only the converted tensors; kept tensors point into the base model, which must therefore
 * stay open while the result is used. The conversion is {@link QuantizePipeline#convert}, the one every file export
 * runs: the same tasks, chunks and quantizers, so the bytes are those of the file a GGUF export writes.
 *
 * <p>With an importance matrix, a ggml block type whose ggml quantizer takes weights is quantized with the tensor's
 * importance ({@link GgmlQuantizer#create(DType, float[])}, looked up as {@link QuantizePipeline#importance} looks it
 * up for {@code quantize --imatrix}), each chunk whole rows of one matrix; the bytes are those of the file
 * {@code quantize --imatrix} writes for the same plan. The plan itself must then be resolved with an importance
 * matrix ({@code recipe.resolve(model, true)}), as the file export resolves it.
 */
public final class InMemoryQuantizer {
    private InMemoryQuantizer() {}

    /** {@link #quantize(Model, ModelPlan, int, ProgressMonitor)} on all cores. */
    public static Model quantize(Model base, ModelPlan plan, ProgressMonitor monitor) {
        return quantize(base, plan, Runtime.getRuntime().availableProcessors(), monitor);
    }

    /** Without an importance matrix. */
    public static Model quantize(Model base, ModelPlan plan, int threads, ProgressMonitor monitor) {
        return quantize(base, plan, null, threads, monitor);
    }

    /**
     * How many tensors of {@code plan} {@code imatrix} weights: those stored as a ggml type whose quantizer takes
     * weights and that the matrix has an entry for. 0 means quantizing with it gives exactly what quantizing
     * without it gives (apart from a preset's few choices that depend on having one).
     */
    public static int weightedTensors(Model base, ModelPlan plan, ImatrixFile imatrix) {
        Objects.requireNonNull(imatrix);
        int n = 0;
        for (TensorPlan p : plan.tensors()) {
            if (p.storedScheme() instanceof GgmlBlock g) {
                TensorInfo t = base.tensor(p.name()).orElse(null);
                if (t != null && g.type() != t.dtype() && importance(base, t, g.type(), imatrix) != null) n++;
            }
        }
        return n;
    }

    /**
     * Whether any tensor of {@code plan} is quantized to a ggml type whose quantizer takes an importance matrix:
     * whether one can make a difference at all, known before one is loaded or computed.
     */
    public static boolean takesImportance(Model base, ModelPlan plan) {
        for (TensorPlan p : plan.tensors()) {
            if (p.storedScheme() instanceof GgmlBlock g && GgmlQuantizer.usesImportance(g.type())
                    && base.tensor(p.name()).map(t -> t.dtype() != g.type()).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param imatrix null, or the importance matrix weighting ggml block types (as {@code quantize --imatrix})
     * @param threads worker threads (whole tensors or chunks of rows are shared out, as the file pipeline does)
     * @throws IllegalArgumentException when the plan has a tensor its scheme cannot store ({@link ModelPlan#problems()}),
     *                                  or an imatrix entry does not fit its tensor
     * @throws java.util.concurrent.CancellationException when cancelled (nothing stays allocated)
     */
    public static Model quantize(Model base, ModelPlan plan, ImatrixFile imatrix, int threads,
                                 ProgressMonitor monitor) {
        try {
            return quantize(base, plan, imatrix, PruneCalibration.NONE, threads, monitor);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only a calibration text is read, and NONE has none
        }
    }

    /**
     * As {@link #quantize(Model, ModelPlan, ImatrixFile, int, ProgressMonitor)}, pruning first where the plan says
     * ({@link PlanPruning}, with {@code calibration} for Wanda and SparseGPT); the pruned tensors are then held by the
     * result, whatever their scheme.
     */
    public static Model quantize(Model base, ModelPlan plan, ImatrixFile imatrix, PruneCalibration calibration,
                                 int threads, ProgressMonitor monitor) throws IOException {
        if (!plan.prunes()) return convert(base, plan, imatrix, threads, monitor, java.util.Set.of());
        try (PrunedBase pruned = PlanPruning.prune(base, plan, calibration, threads,
                new ProgressSlice(monitor, 0, 1, 2))) {
            java.util.Set<String> names = new java.util.HashSet<>();
            pruned.tensors().forEach(t -> names.add(t.name()));
            return convert(pruned.model(), plan, imatrix, threads, new ProgressSlice(monitor, 1, 1, 2), names);
        }
    }

    /**
     * @param owned tensors of {@code base} that go away with it (pruned copies): kept as they are, they are copied
     *              into the result's memory instead of pointed at
     */
    private static Model convert(Model base, ModelPlan plan, ImatrixFile imatrix, int threads,
                                 ProgressMonitor monitor, java.util.Set<String> owned) {
        if (!plan.problems().isEmpty()) {
            TensorPlan p = plan.problems().getFirst();
            throw new IllegalArgumentException(p.name() + ": " + p.problem().orElseThrow());
        }
        Arena arena = Arena.ofShared(); // the engine's worker threads read the tensors
        try {
            List<TensorTask> tasks = new ArrayList<>(plan.tensors().size());
            List<DType> types = new ArrayList<>(plan.tensors().size());
            for (TensorPlan p : plan.tensors()) {
                TensorInfo t = base.tensor(p.name()).orElseThrow(
                        () -> new IllegalArgumentException("the plan names " + p.name() + ", which the model lacks"));
                DType type = storedType(p.storedScheme(), t);
                types.add(type);
                tasks.add(task(base, t, p, type, imatrix, arena));
            }
            QuantizePipeline.convert(tasks, threads, monitor);
            List<TensorInfo> tensors = new ArrayList<>(tasks.size());
            for (int i = 0; i < tasks.size(); i++) {
                TensorTask task = tasks.get(i);
                TensorInfo s = task.source();
                if (task.conversion() instanceof Conversion.Copy && owned.contains(s.name())) {
                    MemorySegment copy = QuantizePipeline.allocate(arena, s.byteSize());
                    copy.copyFrom(s.data());
                    tensors.add(new TensorInfo(s.name(), s.shape(), s.dtype(), s.byteSize(), copy));
                } else {
                    tensors.add(task.conversion() instanceof Conversion.Copy ? s
                            : new TensorInfo(s.name(), s.shape(), types.get(i), task.output().byteSize(), task.output()));
                }
            }
            // No GGUF details: they would describe the base's types, not these.
            return new Model(base.source(), base.format(), tensors, base.metadata(), arena, null);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * The type the engine reads: ggml block types and casts keep their real bytes, so the engine runs their kernels;
     * the other schemes have no kernel and are held dequantized as F32.
     */
    private static DType storedType(QuantScheme scheme, TensorInfo t) {
        return switch (scheme) {
            case Keep k -> t.dtype();
            case GgmlBlock g -> g.type();
            case Cast c -> c.type();
            default -> DType.F32;
        };
    }

    private static TensorTask task(Model base, TensorInfo t, TensorPlan p, DType type, ImatrixFile imatrix,
                                   Arena arena) {
        QuantScheme scheme = p.storedScheme();
        boolean storedAsType = scheme instanceof GgmlBlock || scheme instanceof Cast;
        if (scheme instanceof Keep || (storedAsType && type == t.dtype())) {
            return new TensorTask(t, new Conversion.Copy(), t.data());
        }
        MemorySegment out = QuantizePipeline.allocate(arena, type.byteSize(t.parameters()));
        if (storedAsType) return new TensorTask(t, new Conversion.Encode(type, importance(base, t, type, imatrix)), out);
        long rowLength = p.rowLength();
        return new TensorTask(t, new Conversion.RoundTrip(scheme, rowLength, (firstRow, q, values, output) ->
                MemorySegment.copy(values, 0, output, Layouts.F32, Math.multiplyExact(firstRow, rowLength) * Float.BYTES,
                        values.length)), out);
    }

    /**
     * The importance weighting {@code t} quantized to {@code type}, or null: no imatrix, a type whose ggml quantizer
     * ignores weights, or no entry for the tensor. For a GGUF model exactly {@link QuantizePipeline#importance}, what
     * {@code quantize --imatrix} uses; otherwise the same from the tensor's shape (ne[2] matrices of rows).
     */
    private static float[] importance(Model base, TensorInfo t, DType type, ImatrixFile imatrix) {
        if (imatrix == null || !GgmlQuantizer.usesImportance(type)) return null;
        if (base.details() instanceof GgufFile gguf) {
            GgufTensorEntry entry = gguf.tensors().stream().filter(e -> e.name().equals(t.name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(t.name() + " is not in the GGUF file's tensors"));
            return QuantizePipeline.importance(imatrix, entry, type);
        }
        long[] ne = t.shape().dims();
        if (t.shape().order() == Shape.Order.SLOWEST_FIRST) {
            for (int i = 0, j = ne.length - 1; i < j; i++, j--) { long x = ne[i]; ne[i] = ne[j]; ne[j] = x; }
        }
        long matrices = ne.length > 2 ? ne[2] : 1;
        return imatrix.importance(t.name(), t.shape().rowLength(), matrices).orElse(null);
    }
}
