package dev.quantscope.eval.sweep;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.metrics.UnitRunner;
import dev.quantscope.quant.scheme.Binary;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.FloatScheme;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.Ternary;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

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
 * stay open while the result is used.
 *
 * <p>With an importance matrix, a ggml block type whose ggml quantizer takes weights is quantized with the tensor's
 * importance ({@link GgmlQuantizer#create(DType, float[])}, looked up as {@link QuantizePipeline#importance} looks it
 * up for {@code quantize --imatrix}), each chunk whole rows of one matrix; the bytes are those of the file
 * {@code quantize --imatrix} writes for the same plan. The plan itself must then be resolved with an importance
 * matrix ({@code recipe.resolve(model, true)}), as the file export resolves it.
 */
public final class InMemoryQuantizer {
    private InMemoryQuantizer() {}

    /** Elements converted at once for row-local schemes: bounds the float buffer, not the result. */
    private static final int CHUNK_ELEMENTS = 1 << 18;

    /** How one tensor is produced. */
    private sealed interface Job {
        /** The base's own tensor. */
        record Kept(TensorInfo tensor) implements Job {}

        /**
         * Bytes of {@code type} the engine reads directly, converted a chunk of rows per unit.
         *
         * @param importance null, or per matrix one weight per column, concatenated ({@code matrices} of them)
         */
        record Stored(TensorInfo source, TensorPlan plan, DType type, MemorySegment output, long rowsPerChunk,
                      float[] importance, long matrices) implements Job {}

        /** Quantized, dequantized and held as F32, the whole tensor in one unit. */
        record Dequantized(TensorInfo source, TensorPlan plan, MemorySegment output) implements Job {}
    }

    /** Unit of work: rows [firstRow, firstRow + rows) of job {@code job}. */
    private record Unit(int job, long firstRow, long rows) {}

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
            if (p.scheme() instanceof GgmlBlock g) {
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
            if (p.scheme() instanceof GgmlBlock g && GgmlQuantizer.usesImportance(g.type())
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
        if (!plan.problems().isEmpty()) {
            TensorPlan p = plan.problems().getFirst();
            throw new IllegalArgumentException(p.name() + ": " + p.problem().orElseThrow());
        }
        Arena arena = Arena.ofShared(); // the engine's worker threads read the tensors
        try {
            // Output memory is allocated here, on one thread; the workers only fill it.
            List<Job> jobs = new ArrayList<>(plan.tensors().size());
            for (TensorPlan p : plan.tensors()) {
                TensorInfo t = base.tensor(p.name()).orElseThrow(
                        () -> new IllegalArgumentException("the plan names " + p.name() + ", which the model lacks"));
                jobs.add(job(base, t, p, imatrix, arena));
            }
            List<Unit> units = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < jobs.size(); i++) {
                switch (jobs.get(i)) {
                    case Job.Kept k -> {}
                    case Job.Stored st -> {
                        // A weighted chunk never spans two matrices of an expert tensor: each has its own weights.
                        long perMatrix = st.plan().rows() / st.matrices();
                        for (long m = 0; m < st.matrices(); m++) {
                            long end = (m + 1) * perMatrix;
                            for (long r = m * perMatrix; r < end; r += st.rowsPerChunk()) {
                                units.add(new Unit(i, r, Math.min(st.rowsPerChunk(), end - r)));
                            }
                        }
                        total = Math.addExact(total, st.source().parameters());
                    }
                    case Job.Dequantized d -> {
                        units.add(new Unit(i, 0, d.plan().rows()));
                        total = Math.addExact(total, d.source().parameters());
                    }
                }
            }
            long grandTotal = total;
            AtomicLong done = new AtomicLong();
            UnitRunner.run(units.size(), threads, () -> unit -> {
                Unit u = units.get(unit);
                long n = switch (jobs.get(u.job())) {
                    case Job.Kept k -> 0;
                    case Job.Stored st -> convertRows(st, u.firstRow(), u.rows());
                    case Job.Dequantized d -> dequantize(d);
                };
                monitor.progress(done.addAndGet(n), grandTotal);
            }, monitor);

            List<TensorInfo> tensors = new ArrayList<>(jobs.size());
            for (Job j : jobs) {
                tensors.add(switch (j) {
                    case Job.Kept k -> k.tensor();
                    case Job.Stored st -> new TensorInfo(st.source().name(), st.source().shape(), st.type(),
                            st.output().byteSize(), st.output());
                    case Job.Dequantized d -> new TensorInfo(d.source().name(), d.source().shape(), DType.F32,
                            d.output().byteSize(), d.output());
                });
            }
            // No GGUF details: they would describe the base's types, not these.
            return new Model(base.source(), base.format(), tensors, base.metadata(), arena, null);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * ggml block types and casts keep real bytes the engine reads directly. Both work row by row, so a tensor is
     * converted a few rows at a time and never held as floats. The other schemes have no engine kernel and may
     * scale over the whole tensor or over runs of blocks, so they are converted whole.
     */
    private static Job job(Model base, TensorInfo t, TensorPlan p, ImatrixFile imatrix, Arena arena) {
        return switch (p.scheme()) {
            case Keep k -> new Job.Kept(t);
            case GgmlBlock g -> g.type() == t.dtype() ? new Job.Kept(t)
                    : stored(t, p, g.type(), importance(base, t, g.type(), imatrix), arena);
            case Cast c -> c.type() == t.dtype() ? new Job.Kept(t) : stored(t, p, c.type(), null, arena);
            case IntegerScheme s -> dequantized(t, p, arena);
            case Ternary s -> dequantized(t, p, arena);
            case Binary s -> dequantized(t, p, arena);
            case FloatScheme s -> dequantized(t, p, arena);
        };
    }

    private static Job stored(TensorInfo t, TensorPlan p, DType type, float[] importance, Arena arena) {
        decoder(t);
        long rowsPerChunk = Math.max(1, Math.min(p.rows(), CHUNK_ELEMENTS / Math.max(1, p.rowLength())));
        long matrices = 1;
        if (importance != null) {
            if (importance.length % p.rowLength() != 0 || p.rows() % (importance.length / p.rowLength()) != 0) {
                throw new IllegalArgumentException(t.name() + ": " + importance.length + " importance values are not "
                        + "one per column of each matrix (rows of " + p.rowLength() + ")");
            }
            matrices = importance.length / p.rowLength();
        }
        return new Job.Stored(t, p, type, allocate(arena, type.byteSize(t.parameters())), rowsPerChunk, importance,
                matrices);
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

    private static Job dequantized(TensorInfo t, TensorPlan p, Arena arena) {
        decoder(t);
        Math.toIntExact(t.parameters()); // the schemes take one float[]: refuse early, not in a worker
        return new Job.Dequantized(t, p, allocate(arena, DType.F32.byteSize(t.parameters())));
    }

    private static MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
    }

    /** @return elements converted */
    private static long convertRows(Job.Stored st, long firstRow, long rows) {
        long rowLength = st.plan().rowLength();
        int count = Math.toIntExact(Math.multiplyExact(rows, rowLength));
        long first = Math.multiplyExact(firstRow, rowLength);
        float[] x = new float[count];
        decoder(st.source()).decode(st.source().data(), first, x, 0, count);
        if (st.importance() != null) {
            // The chunk lies inside one matrix (see the units): that matrix's column weights.
            int matrix = Math.toIntExact(firstRow / (st.plan().rows() / st.matrices()));
            int from = Math.toIntExact(Math.multiplyExact(matrix, rowLength));
            float[] w = Arrays.copyOfRange(st.importance(), from, Math.toIntExact(from + rowLength));
            GgmlQuantizer.create(st.type(), w).quantize(x, 0, count, st.output(), st.type().byteSize(first));
            return count;
        }
        byte[] codes = st.plan().scheme().quantize(x, (int) rows, (int) rowLength).codes();
        MemorySegment.copy(MemorySegment.ofArray(codes), 0, st.output(), st.type().byteSize(first), codes.length);
        return count;
    }

    /** @return elements converted */
    private static long dequantize(Job.Dequantized d) {
        TensorInfo t = d.source();
        float[] x = new float[Math.toIntExact(t.parameters())];
        decoder(t).decode(t.data(), 0, x, 0, x.length);
        QuantScheme scheme = d.plan().scheme();
        float[] y = scheme.dequantize(scheme.quantize(x, Math.toIntExact(d.plan().rows()),
                Math.toIntExact(d.plan().rowLength())));
        MemorySegment.copy(y, 0, d.output(), Layouts.F32, 0, y.length);
        return x.length;
    }

    private static ElementDecoder decoder(TensorInfo t) {
        return Decoders.find(t.dtype()).orElseThrow(
                () -> new IllegalArgumentException(t.name() + ": " + t.dtype() + " cannot be decoded"));
    }
}
