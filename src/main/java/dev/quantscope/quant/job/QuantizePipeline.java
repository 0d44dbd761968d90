package dev.quantscope.quant.job;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.metrics.ErrorAccumulator;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.metrics.ModelMetrics;
import dev.quantscope.quant.metrics.TensorMetrics;
import dev.quantscope.quant.metrics.UnitRunner;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.task.ProgressMonitor;
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
 * Quantizes a GGUF model with a llama-quantize preset and writes the file llama-quantize would write, byte for byte.
 *
 * <p>The planner picks each tensor's type; then all tensors are cut into chunks of whole blocks, and worker threads
 * (one quantizer each) decode a chunk of source values, encode it into the tensor's output bytes, decode those
 * bytes again and add the error to the chunk's sums. Only the quantized bytes are kept (off the heap); the source
 * is read through its mapping chunk by chunk, so the model is never held as floats. Tensors whose type stays are
 * not copied at all: the writer takes their bytes straight from the mapped source. Finally {@link GgufWriter}
 * writes a temporary file, verifies it and renames it over the target.
 */
public final class QuantizePipeline {
    private QuantizePipeline() {}

    /** Elements per chunk: a few hundred KB of floats, small enough to stay in a core's cache. */
    static final int CHUNK_ELEMENTS = 1 << 16;

    /** Progress scale: quantizing takes the first 85 %, writing and verifying the rest. */
    private static final long SCALE = 1_000_000, QUANTIZE_SHARE = 850_000;

    /** One chunk: elements [first, first + count) of task {@code task}. */
    private record Unit(int task, long first, int count) {}

    /**
     * @param threads worker threads (at least 1)
     * @throws IllegalArgumentException when the model is not GGUF, a tensor cannot be converted, or {@code out} is
     *                                  the input; {@link dev.quantscope.quant.preset.PresetNotApplicableException}
     *                                  (naming the tensor) when llama-quantize would refuse the preset
     * @throws java.util.concurrent.CancellationException when cancelled; nothing is left behind
     */
    public static QuantizeResult quantize(Model model, Preset preset, Path out, int threads, ProgressMonitor monitor)
            throws IOException {
        if (!(model.details() instanceof GgufFile gguf)) {
            throw new IllegalArgumentException(model.source() + " is " + model.format().displayName()
                    + "; quantize reads GGUF files");
        }
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        long start = System.nanoTime();
        List<TensorChoice> plan = PresetPlanner.plan(preset, gguf);

        Map<String, TensorInfo> infos = new HashMap<>();
        for (TensorInfo t : model.tensors()) infos.put(t.name(), t);
        Map<String, GgufTensorEntry> entries = new HashMap<>();
        for (GgufTensorEntry e : gguf.tensors()) entries.put(e.name(), e);

        try (Arena arena = Arena.ofShared()) {
            List<TensorTask> tasks = new ArrayList<>(plan.size());
            for (TensorChoice c : plan) {
                tasks.add(task(c, infos.get(c.name()), entries.get(c.name()), arena));
            }
            List<Unit> units = units(tasks);
            ErrorAccumulator[] sums = run(tasks, units, threads,
                    new PhasedProgress(monitor, 0, QUANTIZE_SHARE, SCALE));
            ModelMetrics metrics = metrics(tasks, units, sums);
            long quantized = System.nanoTime();

            List<GgufOutputTensor> outputs = new ArrayList<>(tasks.size());
            for (TensorTask t : tasks) outputs.add(new GgufOutputTensor(t.source().name(), t.ne(), t.type(), t.output()));
            GgufOutput output = GgufOutput.likeLlamaQuantize(gguf, preset.llamaFtype(), outputs);
            GgufOutputLayout layout = GgufWriter.write(output, out, List.of(model.source()),
                    new PhasedProgress(monitor, QUANTIZE_SHARE, SCALE - QUANTIZE_SHARE, SCALE));
            long written = System.nanoTime();
            return new QuantizeResult(out, preset, metrics, layout.fileSize(), threads, quantized - start,
                    written - quantized);
        }
    }

    private static TensorTask task(TensorChoice c, TensorInfo info, GgufTensorEntry entry, Arena arena) {
        ElementDecoder decoder = Decoders.find(info.dtype()).orElse(null);
        if (!c.converts()) return new TensorTask(info, c, entry.ne(), decoder, info.data());
        DType from = info.dtype();
        if (from != DType.F32 && from != DType.F16 && from != DType.BF16) {
            // llama-quantize too refuses to requantize unless told to: the result is worse than quantizing the original.
            throw new IllegalArgumentException(c.name() + ": stored as " + from
                    + "; only F32, F16 and BF16 tensors can be quantized (requantizing is not supported)");
        }
        if (!ElementEncoder.supports(c.type())) {
            throw new IllegalArgumentException(c.name() + ": QuantScope cannot write " + c.type());
        }
        long bytes = c.type().byteSize(info.parameters());
        MemorySegment output = arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        return new TensorTask(info, c, entry.ne(), decoder, output);
    }

    private static List<Unit> units(List<TensorTask> tasks) {
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            TensorTask t = tasks.get(i);
            if (t.decoder() == null) continue; // copied as is, nothing to read
            int block = Math.max(t.source().dtype().blockElements(), t.type().blockElements());
            int chunk = Math.max(block, CHUNK_ELEMENTS / block * block);
            long n = t.elements();
            for (long first = 0; first < n; first += chunk) units.add(new Unit(i, first, (int) Math.min(chunk, n - first)));
        }
        return units;
    }

    private static ErrorAccumulator[] run(List<TensorTask> tasks, List<Unit> units, int threads, ProgressMonitor monitor) {
        long total = 0;
        for (Unit u : units) total += u.count();
        long grandTotal = total;
        int maxChunk = units.stream().mapToInt(Unit::count).max().orElse(0);
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
                t.decoder().decode(t.source().data(), u.first(), x, 0, u.count());
                ErrorAccumulator acc = new ErrorAccumulator();
                if (t.copies() || t.type() == DType.F32) {
                    if (!t.copies()) encoder(t.type()).encode(x, u.count(), t.output(), t.type().byteSize(u.first()));
                    acc.addExact(x, 0, u.count());
                } else {
                    long at = t.type().byteSize(u.first());
                    encoder(t.type()).encode(x, u.count(), t.output(), at);
                    // Measure what was written: decode the chunk's bytes back.
                    Decoders.find(t.type()).orElseThrow().decode(t.output(), u.first(), q, 0, u.count());
                    acc.add(x, 0, q, 0, u.count());
                }
                sums[index] = acc;
                monitor.progress(done.addAndGet(u.count()), grandTotal);
            }

            private ElementEncoder encoder(DType type) {
                return encoders.computeIfAbsent(type, ElementEncoder::of);
            }
        }, monitor);
        return sums;
    }

    /** Per tensor: the sums of its chunks in chunk order, so the figures do not depend on the thread count. */
    private static ModelMetrics metrics(List<TensorTask> tasks, List<Unit> units, ErrorAccumulator[] sums) {
        ErrorAccumulator[] perTask = new ErrorAccumulator[tasks.size()];
        for (int u = 0; u < units.size(); u++) {
            int t = units.get(u).task();
            if (perTask[t] == null) perTask[t] = new ErrorAccumulator();
            perTask[t].add(sums[u]);
        }
        List<TensorMetrics> out = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            TensorTask t = tasks.get(i);
            ErrorMetrics e = perTask[i] == null ? ErrorMetrics.NONE : perTask[i].result();
            out.add(new TensorMetrics(t.source().name(), t.source().dtype(), t.type(),
                    new QuantizedSize(t.elements(), t.output().byteSize()), e));
        }
        return new ModelMetrics(out);
    }
}
