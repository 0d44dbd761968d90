package dev.quantscope.quant.preview;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.SourceTensor;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a {@link ModelPlan} of a GGUF model as a GGUF file, llama-quantize style: same metadata with
 * general.file_type set, tensors converted with the byte-exact ggml quantizers, written through {@link GgufWriter}
 * (temporary file, verified, then renamed; the input is never replaced). The converted tensors are held in memory
 * until written, so this suits the models the preview works on.
 */
public final class PlanGgufWriter {
    /** llama.cpp's LLAMA_FTYPE_GUESSED: a mix that is no preset. */
    static final long FTYPE_MIXED = 1024;
    /** Rows converted at once: bounds the float buffer, not the result. */
    private static final int CHUNK_ELEMENTS = 1 << 20;

    private PlanGgufWriter() {}

    /** @return the bytes written */
    public static long write(Model model, ModelPlan plan, Path target, ProgressMonitor monitor) {
        if (!(model.details() instanceof GgufFile gguf)) {
            throw new UnsupportedOperationException("GGUF export needs a GGUF model; this is " + model.format());
        }
        long ftype = plan.preset().map(Preset::llamaFtype).map(Long::valueOf).orElse(FTYPE_MIXED);
        long total = plan.tensors().stream().mapToLong(TensorPlan::elements).sum();
        long done = 0;
        try (Arena arena = Arena.ofConfined()) {
            List<GgufOutputTensor> out = new ArrayList<>(plan.tensors().size());
            for (TensorPlan p : plan.tensors()) {
                monitor.checkCancelled();
                TensorInfo t = model.tensor(p.name()).orElseThrow();
                DType type = p.ggmlType().orElseThrow(
                        () -> new UnsupportedOperationException(p.name() + ": " + p.schemeLabel() + " has no GGUF type"));
                MemorySegment data = type == t.dtype() ? t.data().asSlice(0, t.byteSize())
                        : convert(t, p.rowLength(), type, arena, monitor);
                out.add(new GgufOutputTensor(p.name(), SourceTensor.of(t).ne(), type, data));
                done += p.elements();
                monitor.progress(done, total * 2); // the second half is GgufWriter's write and verify
            }
            long offset = done;
            ProgressMonitor writing = new ProgressMonitor() {
                @Override public void progress(long d, long of) {
                    monitor.progress(offset + (of == 0 ? 0 : d * total / of), total * 2);
                }
                @Override public boolean isCancelled() { return monitor.isCancelled(); }
            };
            return GgufWriter.write(GgufOutput.likeLlamaQuantize(gguf, ftype, out), target, List.of(model.source()),
                    writing).fileSize();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MemorySegment convert(TensorInfo t, long rowLength, DType type, Arena arena, ProgressMonitor monitor) {
        ElementDecoder decoder = Decoders.find(t.dtype()).orElseThrow(
                () -> new UnsupportedOperationException(t.name() + ": " + t.dtype() + " cannot be decoded"));
        long n = t.parameters();
        MemorySegment dst = arena.allocate(type.byteSize(n), 64);
        int rowsPerChunk = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
        long rows = n / rowLength;
        float[] buf = new float[(int) Math.min(n, Math.multiplyExact(rowsPerChunk, rowLength))];
        GgmlQuantizer q = GgmlQuantizer.supports(type) ? GgmlQuantizer.create(type) : null;
        for (long r = 0; r < rows; r += rowsPerChunk) {
            monitor.checkCancelled();
            int count = (int) (Math.min(rows - r, rowsPerChunk) * rowLength);
            long first = Math.multiplyExact(r, rowLength);
            decoder.decode(t.data(), first, buf, 0, count);
            long at = type.byteSize(first);
            if (q != null) {
                q.quantize(buf, 0, count, dst, at);
            } else {
                float[] v = RoundTrip.apply(new dev.quantscope.quant.scheme.Cast(type), Arrays.copyOf(buf, count), (int) rowLength);
                for (int i = 0; i < count; i++) {
                    switch (type) {
                        case F32 -> dst.set(Layouts.F32, at + 4L * i, v[i]);
                        case F16 -> dst.set(Layouts.I16, at + 2L * i, Float.floatToFloat16(v[i]));
                        case BF16 -> dst.set(Layouts.I16, at + 2L * i, (short) (Float.floatToRawIntBits(v[i]) >>> 16));
                        default -> throw new IllegalStateException("no writer for " + type);
                    }
                }
            }
        }
        return dst;
    }
}
