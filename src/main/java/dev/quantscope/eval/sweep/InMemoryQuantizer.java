package dev.quantscope.eval.sweep;

import dev.quantscope.format.Model;
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

    /** Rows converted at once for row-local schemes: bounds the float buffer, not the result. */
    private static final int CHUNK_ELEMENTS = 1 << 18;

    /**
     * @throws IllegalArgumentException when the plan has a tensor its scheme cannot store ({@link RecipePlan#problems()})
     * @throws java.util.concurrent.CancellationException when cancelled (nothing stays allocated)
     */
    public static Model quantize(Model base, RecipePlan plan, ProgressMonitor monitor) {
        if (!plan.problems().isEmpty()) {
            TensorPlan p = plan.problems().getFirst();
            throw new IllegalArgumentException(p.name() + ": " + p.problem().orElseThrow());
        }
        long total = 0;
        for (TensorPlan p : plan.tensors()) total = Math.addExact(total, p.size().elements());
        Arena arena = Arena.ofShared(); // the engine's worker threads read the tensors
        try {
            List<TensorInfo> tensors = new ArrayList<>(plan.tensors().size());
            long done = 0;
            for (TensorPlan p : plan.tensors()) {
                monitor.checkCancelled();
                TensorInfo t = base.tensor(p.name()).orElseThrow(
                        () -> new IllegalArgumentException("the plan names " + p.name() + ", which the model lacks"));
                tensors.add(convert(t, p, arena, monitor));
                done = Math.addExact(done, p.size().elements());
                monitor.progress(done, total);
            }
            // No GGUF details: they would describe the base's types, not these.
            return new Model(base.source(), base.format(), tensors, base.metadata(), arena, null);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static TensorInfo convert(TensorInfo t, TensorPlan p, Arena arena, ProgressMonitor monitor) {
        QuantScheme scheme = p.scheme();
        return switch (scheme) {
            case Keep k -> t;
            case GgmlBlock g -> g.type() == t.dtype() ? t : stored(t, p, g.type(), arena, monitor);
            case Cast c -> c.type() == t.dtype() ? t : stored(t, p, c.type(), arena, monitor);
            case IntegerScheme s -> dequantized(t, p, arena);
            case Ternary s -> dequantized(t, p, arena);
            case Binary s -> dequantized(t, p, arena);
            case FloatScheme s -> dequantized(t, p, arena);
        };
    }

    /**
     * A scheme whose bytes the engine reads directly (ggml blocks, casts). Both work row by row, so the tensor is
     * converted a few rows at a time and never held as floats.
     */
    private static TensorInfo stored(TensorInfo t, TensorPlan p, DType type, Arena arena, ProgressMonitor monitor) {
        ElementDecoder decoder = decoder(t);
        long n = t.parameters();
        long bytes = type.byteSize(n);
        MemorySegment dst = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        long rowLength = p.rowLength(), rows = p.rows();
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_ELEMENTS / rowLength));
        float[] buf = new float[Math.toIntExact(Math.multiplyExact(rowsPerChunk, rowLength))];
        for (long r = 0; r < rows; r += rowsPerChunk) {
            monitor.checkCancelled();
            int chunkRows = (int) Math.min(rows - r, rowsPerChunk);
            int count = Math.toIntExact(chunkRows * rowLength);
            long first = Math.multiplyExact(r, rowLength);
            float[] x = count == buf.length ? buf : new float[count];
            decoder.decode(t.data(), first, x, 0, count);
            byte[] codes = p.scheme().quantize(x, chunkRows, (int) rowLength).codes();
            MemorySegment.copy(MemorySegment.ofArray(codes), 0, dst, type.byteSize(first), codes.length);
        }
        return new TensorInfo(t.name(), t.shape(), type, bytes, dst);
    }

    /**
     * A scheme without an engine kernel: quantized as a whole tensor (some scale over the whole tensor or over
     * runs of blocks), dequantized, held as F32.
     */
    private static TensorInfo dequantized(TensorInfo t, TensorPlan p, Arena arena) {
        float[] x = new float[Math.toIntExact(t.parameters())];
        decoder(t).decode(t.data(), 0, x, 0, x.length);
        QuantScheme scheme = p.scheme();
        float[] y = scheme.dequantize(scheme.quantize(x, Math.toIntExact(p.rows()), Math.toIntExact(p.rowLength())));
        long bytes = DType.F32.byteSize(y.length);
        MemorySegment dst = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        MemorySegment.copy(y, 0, dst, Layouts.F32, 0, y.length);
        return new TensorInfo(t.name(), t.shape(), DType.F32, bytes, dst);
    }

    private static ElementDecoder decoder(TensorInfo t) {
        return Decoders.find(t.dtype()).orElseThrow(
                () -> new IllegalArgumentException(t.name() + ": " + t.dtype() + " cannot be decoded"));
    }
}
