package dev.quantscope.eval.sweep;

import dev.quantscope.format.Model;
import dev.quantscope.quant.metrics.UnitRunner;
import dev.quantscope.quant.scheme.Binary;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.FloatScheme;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.Ternary;
import dev.quantscope.recipe.RecipePlan;
import dev.quantscope.recipe.TensorPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class InMemoryQuantizer {
    private InMemoryQuantizer() {}

    /** Elements converted at once for row-local schemes: bounds the float buffer, not the result. */
    private static final int CHUNK_ELEMENTS = 1 << 18;

    /** How one tensor is produced. */
    private sealed interface Job {
        /** The base's own tensor. */
        record Kept(TensorInfo tensor) implements Job {}

        /** Bytes of {@code type} the engine reads directly, converted a chunk of rows per unit. */
        record Stored(TensorInfo source, TensorPlan plan, DType type, MemorySegment output, long rowsPerChunk) implements Job {}

        /** Quantized, dequantized and held as F32, the whole tensor in one unit. */
        record Dequantized(TensorInfo source, TensorPlan plan, MemorySegment output) implements Job {}
    }

    /** Unit of work: rows [firstRow, firstRow + rows) of job {@code job}. */
    private record Unit(int job, long firstRow, long rows) {}

    /** {@link #quantize(Model, RecipePlan, int, ProgressMonitor)} on all cores. */
    public static Model quantize(Model base, RecipePlan plan, ProgressMonitor monitor) {
        return quantize(base, plan, Runtime.getRuntime().availableProcessors(), monitor);
    }

    /**
     * @param threads worker threads (whole tensors or chunks of rows are shared out, as the file pipeline does)
     * @throws IllegalArgumentException when the plan has a tensor its scheme cannot store ({@link RecipePlan#problems()})
     * @throws java.util.concurrent.CancellationException when cancelled (nothing stays allocated)
     */
    public static Model quantize(Model base, RecipePlan plan, int threads, ProgressMonitor monitor) {
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
                jobs.add(job(t, p, arena));
            }
            List<Unit> units = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < jobs.size(); i++) {
                switch (jobs.get(i)) {
                    case Job.Kept k -> {}
                    case Job.Stored st -> {
                        for (long r = 0; r < st.plan().rows(); r += st.rowsPerChunk()) {
                            units.add(new Unit(i, r, Math.min(st.rowsPerChunk(), st.plan().rows() - r)));
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
    private static Job job(TensorInfo t, TensorPlan p, Arena arena) {
        return switch (p.scheme()) {
            case Keep k -> new Job.Kept(t);
            case GgmlBlock g -> g.type() == t.dtype() ? new Job.Kept(t) : stored(t, p, g.type(), arena);
            case Cast c -> c.type() == t.dtype() ? new Job.Kept(t) : stored(t, p, c.type(), arena);
            case IntegerScheme s -> dequantized(t, p, arena);
            case Ternary s -> dequantized(t, p, arena);
            case Binary s -> dequantized(t, p, arena);
            case FloatScheme s -> dequantized(t, p, arena);
        };
    }

    private static Job stored(TensorInfo t, TensorPlan p, DType type, Arena arena) {
        decoder(t);
        long rowsPerChunk = Math.max(1, Math.min(p.rows(), CHUNK_ELEMENTS / Math.max(1, p.rowLength())));
        return new Job.Stored(t, p, type, allocate(arena, type.byteSize(t.parameters())), rowsPerChunk);
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
