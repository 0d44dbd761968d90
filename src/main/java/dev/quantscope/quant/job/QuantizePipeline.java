package dev.quantscope.quant.job;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.metrics.ErrorAccumulator;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.metrics.ModelMetrics;
import dev.quantscope.quant.metrics.TensorMetrics;
import dev.quantscope.quant.metrics.UnitRunner;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.quant.scheme.QuantizedTensor;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one tensor conversion every compression runs on: a list of {@link TensorTask}s (copies, ggml encodings with or
 * without importance, round trips through any {@link dev.quantscope.quant.scheme.QuantScheme}) converted in parallel.
 * All tensors are cut into chunks of whole blocks (or rows), and worker threads (one quantizer each) decode a chunk
 * of source values, encode it into the tensor's output bytes, decode those bytes again and add the error to the
 * chunk's sums. Only the converted bytes are kept (off the heap); the source is read through its mapping chunk by
 * chunk, so the model is never held as floats. The plans, files and sweeps that drive it are
 * {@code dev.quantscope.pipeline}'s: {@code ModelExport} (GGUF, and llama-quantize's presets byte for byte through
 * {@code PresetExport}), {@code SafetensorsModelExport} and the sweeps' in-memory conversion.
 */
public final class QuantizePipeline {
    private QuantizePipeline() {}

    /** Elements per chunk: a few hundred KB of floats, small enough to stay in a core's cache. */
    static final int CHUNK_ELEMENTS = 1 << 16;

    /** One chunk: elements [first, first + count) of task {@code task}. */
    private record Unit(int task, long first, int count) {}

    /**
     * The importance for a tensor quantized to {@code type}, or null: without an imatrix, for a type whose quantizer
     * ignores weights, or for a tensor the imatrix has no entry for.
     */
    public static float[] importance(ImatrixFile imatrix, GgufTensorEntry entry, DType type) {
        if (imatrix == null || !GgmlQuantizer.usesImportance(type)) return null;
        long[] ne = entry.ne();
        long matrices = ne.length > 2 ? ne[2] : 1;
        return imatrix.importance(entry.name(), ne[0], matrices).orElse(null);
    }

    /** Off-heap output of {@code bytes} bytes, 64-byte aligned, valid until {@code arena} closes. */
    public static MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
    }

    /**
     * Converts every task's tensor, in parallel: the tensors are cut into chunks (of whole blocks, or whole rows
     * for a {@link Conversion.RoundTrip}), and each worker decodes a chunk of source values, converts it into the
     * task's output, decodes what was written and adds the error to the chunk's sums. The source is read through
     * its mapping chunk by chunk, so a model is never held as floats.
     *
     * @return per task, the error of what was written against the source (exact for copies;
     *         {@link ErrorMetrics#NONE} for a copy whose values cannot be decoded); independent of {@code threads}
     * @throws IllegalArgumentException when a tensor to convert cannot be decoded, or does not fit the conversion
     * @throws java.util.concurrent.CancellationException when cancelled
     */
    public static List<ErrorMetrics> convert(List<TensorTask> tasks, int threads, ProgressMonitor monitor) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        ElementDecoder[] decoders = new ElementDecoder[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            TensorTask t = tasks.get(i);
            decoders[i] = Decoders.find(t.source().dtype()).orElse(null);
            if (decoders[i] == null && !(t.conversion() instanceof Conversion.Copy)) {
                throw new IllegalArgumentException(t.source().name() + ": " + t.source().dtype()
                        + " cannot be decoded to floats to convert");
            }
            checkOutput(t);
        }
        List<Unit> units = units(tasks, decoders);
        ErrorAccumulator[] sums = run(tasks, decoders, units, threads, monitor);
        return errors(tasks, units, sums);
    }

    private static void checkOutput(TensorTask t) {
        long expected = switch (t.conversion()) {
            case Conversion.Copy c -> t.source().byteSize();
            case Conversion.Encode e -> {
                if (e.importance() != null) checkImportance(t, e.importance());
                yield e.type().byteSize(t.elements());
            }
            case Conversion.RoundTrip r -> {
                if (t.elements() % r.rowLength() != 0) {
                    throw new IllegalArgumentException(t.source().name() + ": " + t.elements()
                            + " elements are not rows of " + r.rowLength());
                }
                if (r.rowLength() % t.source().dtype().blockElements() != 0) {
                    throw new IllegalArgumentException(t.source().name() + ": rows of " + r.rowLength()
                            + " split " + t.source().dtype() + " blocks");
                }
                r.scheme().unsupportedReason(r.rowLength()).ifPresent(reason -> {
                    throw new IllegalArgumentException(t.source().name() + ": " + reason);
                });
                yield -1; // the store decides its own layout
            }
        };
        if (expected >= 0 && t.output().byteSize() != expected) {
            throw new IllegalArgumentException(t.source().name() + ": output of " + t.output().byteSize()
                    + " bytes, the conversion writes " + expected);
        }
    }

    /** An importance vector must give each matrix of the tensor one value per column. */
    private static void checkImportance(TensorTask t, float[] importance) {
        long rowLength = t.source().shape().rank() == 0 ? 1 : t.source().shape().rowLength();
        if (importance.length % rowLength != 0 || t.elements() % importance.length != 0) {
            throw new IllegalArgumentException(t.source().name() + ": " + importance.length
                    + " importance values are not one per column of each matrix (rows of " + rowLength + ")");
        }
    }

    private static List<Unit> units(List<TensorTask> tasks, ElementDecoder[] decoders) {
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            TensorTask t = tasks.get(i);
            if (decoders[i] == null) continue; // copied as is, nothing to read
            if (t.conversion() instanceof Conversion.Encode e && e.weighted()) {
                weightedUnits(i, t, e, units);
                continue;
            }
            long n = t.elements();
            int chunk = switch (t.conversion()) {
                case Conversion.Copy c -> wholeBlocks(t.source().dtype().blockElements());
                case Conversion.Encode e -> wholeBlocks(Math.max(t.source().dtype().blockElements(), e.type().blockElements()));
                case Conversion.RoundTrip r -> Conversion.rowsIndependent(r.scheme())
                        ? Math.toIntExact(Math.max(1, CHUNK_ELEMENTS / r.rowLength()) * r.rowLength())
                        : wholeTensor(t);
            };
            for (long first = 0; first < n; first += chunk) units.add(new Unit(i, first, (int) Math.min(chunk, n - first)));
        }
        return units;
    }

    /**
     * A weighted quantizer sees the importance of a row's columns, so its chunks are whole rows, and never span two
     * matrices of an expert tensor (each has its own importance).
     */
    private static void weightedUnits(int task, TensorTask t, Conversion.Encode e, List<Unit> units) {
        long rowLength = t.source().shape().rowLength();
        long matrices = e.importance().length / rowLength;
        long perMatrix = t.elements() / matrices;
        long chunk = Math.max(1, CHUNK_ELEMENTS / rowLength) * rowLength;
        if (chunk > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(t.source().name() + ": rows too long");
        for (long m = 0; m < matrices; m++) {
            long end = (m + 1) * perMatrix;
            for (long first = m * perMatrix; first < end; first += chunk) {
                units.add(new Unit(task, first, (int) Math.min(chunk, end - first)));
            }
        }
    }

    private static int wholeBlocks(int block) {
        return Math.max(block, CHUNK_ELEMENTS / block * block);
    }

    private static int wholeTensor(TensorTask t) {
        if (t.elements() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(t.source().name() + ": " + t.elements()
                    + " elements are too many to quantize as one unit (a per-tensor scheme); choose a per-row or group scheme");
        }
        return (int) Math.max(1, t.elements());
    }

    private static ErrorAccumulator[] run(List<TensorTask> tasks, ElementDecoder[] decoders, List<Unit> units,
                                          int threads, ProgressMonitor monitor) {
        long total = 0;
        for (Unit u : units) total += u.count();
        long grandTotal = total;
        // Round trips allocate per chunk (a scheme quantizes an exact-length array); only the others share buffers.
        int maxChunk = units.stream().filter(u -> !(tasks.get(u.task()).conversion() instanceof Conversion.RoundTrip))
                .mapToInt(Unit::count).max().orElse(0);
        ErrorAccumulator[] sums = new ErrorAccumulator[units.size()];
        AtomicLong done = new AtomicLong();
        UnitRunner.run(units.size(), threads, () -> new UnitRunner.Worker() {
            final float[] x = new float[maxChunk];
            final float[] q = new float[maxChunk];
            final Map<DType, ElementEncoder> encoders = new EnumMap<>(DType.class);

            @Override
            public void run(int index) {
                Unit u = units.get(index);
                TensorTask t = tasks.get(u.task());
                ElementDecoder decoder = decoders[u.task()];
                ErrorAccumulator acc = new ErrorAccumulator();
                switch (t.conversion()) {
                    case Conversion.Copy c -> {
                        decoder.decode(t.source().data(), u.first(), x, 0, u.count());
                        acc.addExact(x, 0, u.count());
                    }
                    case Conversion.Encode e -> {
                        decoder.decode(t.source().data(), u.first(), x, 0, u.count());
                        long at = e.type().byteSize(u.first());
                        ElementEncoder encoder = e.weighted() ? weighted(u, t, e) : encoder(e.type());
                        encoder.encode(x, u.count(), t.output(), at);
                        if (e.type() == DType.F32) {
                            acc.addExact(x, 0, u.count());
                        } else {
                            // Measure what was written: decode the chunk's bytes back.
                            Decoders.find(e.type()).orElseThrow().decode(t.output(), u.first(), q, 0, u.count());
                            acc.add(x, 0, q, 0, u.count());
                        }
                    }
                    case Conversion.RoundTrip r -> {
                        float[] values = new float[u.count()];
                        decoder.decode(t.source().data(), u.first(), values, 0, u.count());
                        int rowLength = (int) r.rowLength();
                        QuantizedTensor quantized = r.scheme().quantize(values, u.count() / rowLength, rowLength);
                        float[] back = r.scheme().dequantize(quantized);
                        r.store().store(u.first() / rowLength, quantized, back, t.output());
                        acc.add(values, 0, back, 0, u.count());
                    }
                }
                sums[index] = acc;
                monitor.progress(done.addAndGet(u.count()), grandTotal);
            }

            private ElementEncoder encoder(DType type) {
                return encoders.computeIfAbsent(type, ElementEncoder::of);
            }

            // The weighted quantizer of the tensor matrix this worker last quantized: created once per tensor
            // matrix and worker (chunks of a tensor come in order, so a worker mostly keeps it).
            int weightedTask = -1;
            long weightedMatrix = -1;
            ElementEncoder weightedEncoder;

            private ElementEncoder weighted(Unit u, TensorTask t, Conversion.Encode e) {
                int rowLength = Math.toIntExact(t.source().shape().rowLength());
                int matrices = e.importance().length / rowLength;
                long matrix = u.first() / (t.elements() / matrices);
                if (u.task() != weightedTask || matrix != weightedMatrix) {
                    int from = Math.toIntExact(matrix * rowLength);
                    float[] w = java.util.Arrays.copyOfRange(e.importance(), from, from + rowLength);
                    weightedEncoder = new ElementEncoder.Quantized(GgmlQuantizer.create(e.type(), w));
                    weightedTask = u.task();
                    weightedMatrix = matrix;
                }
                return weightedEncoder;
            }
        }, monitor);
        return sums;
    }

    /** Per tensor: the sums of its chunks in chunk order, so the figures do not depend on the thread count. */
    private static List<ErrorMetrics> errors(List<TensorTask> tasks, List<Unit> units, ErrorAccumulator[] sums) {
        ErrorAccumulator[] perTask = new ErrorAccumulator[tasks.size()];
        for (int u = 0; u < units.size(); u++) {
            int t = units.get(u).task();
            if (perTask[t] == null) perTask[t] = new ErrorAccumulator();
            perTask[t].add(sums[u]);
        }
        List<ErrorMetrics> out = new ArrayList<>(tasks.size());
        for (ErrorAccumulator a : perTask) out.add(a == null ? ErrorMetrics.NONE : a.result());
        return out;
    }
}
