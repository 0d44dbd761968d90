package dev.quantscope.pipeline.export;

import dev.quantscope.engine.classifier.ArchitectureJson;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.format.FileCommit;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.safetensors.SafetensorsWriterLayout;
import dev.quantscope.format.safetensors.export.DequantizedExport;
import dev.quantscope.format.safetensors.export.DequantizedTensor;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.format.safetensors.export.HfConfigJson;
import dev.quantscope.format.safetensors.export.LlamaGgufToHf;
import dev.quantscope.format.safetensors.export.PackedQuantizedExport;
import dev.quantscope.format.safetensors.export.PackedScheme;
import dev.quantscope.format.safetensors.export.RowSource;
import dev.quantscope.quant.job.Conversion;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.job.TensorTask;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.scheme.Granularity;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.recipe.RecipeStamp;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * The safetensors side of {@link ModelExport}.
 *
 * <p><b>Names.</b> A GGUF Llama is written under Hugging Face names with row-major shapes and HF's q/k row order
 * ({@link LlamaGgufToHf}); tensors HF has no place for (rope_freqs) are skipped and reported. Another GGUF keeps
 * its names, dimensions reversed to row-major; safetensors, PyTorch and ONNX sources keep names and shapes.
 *
 * <p><b>Dequantized</b> (the default): every tensor, whatever its scheme, is quantized, dequantized and written
 * in {@link ExportOptions#dtype()}, so the file carries the recipe's quantization error and any tool loads it.
 *
 * <p><b>Packed</b>: Linear weights (2-D {@code .weight} tensors other than embeddings) with an {@link IntegerScheme}
 * of 4 or 8 bits, per channel or in groups that divide the rows, are written in compressed-tensors'
 * pack-quantized layout ({@link PackedQuantizedExport}) and a config.json with its {@code quantization_config}
 * is written next to the file. The format has one integer scheme per file (one config group), so every packed
 * weight must share bits, symmetry and grouping (the rounding may differ: it does not show in the format).
 * Every other tensor is written dequantized; other Linear weights are listed in {@code ignore}.
 */
final class SafetensorsModelExport {
    private SafetensorsModelExport() {}

    /** One source tensor on its way to the file. */
    private record Item(TensorPlan plan, TensorInfo source, String outputName, TensorTask task, PackedStore packed) {}

    static ExportResult export(Model source, ModelPlan plan, Path out, ExportOptions options, ProgressMonitor monitor)
            throws IOException {
        FloatFormat format = options.dtype();
        boolean ggufLlama = source.format() == ModelFormat.GGUF
                && "llama".equals(source.metadata().get("general.architecture"));
        if (options.packed() && source.format() == ModelFormat.GGUF && !ggufLlama) {
            throw new IllegalArgumentException("a packed export needs Hugging Face module names, which QuantScope "
                    + "knows only for GGUF Llama models (this is " + source.metadata().get("general.architecture") + ")");
        }
        if (options.packed() && format == FloatFormat.BF16) {
            throw new IllegalArgumentException("a packed export stores the integer schemes' F16 scales exactly in F16 "
                    + "or F32; BF16 would round them: use --dtype f16 or f32");
        }
        List<Path> inputs = ModelExport.inputs(source);
        if (options.packed()) FileCommit.checkTarget(out.toAbsolutePath().resolveSibling("config.json"), inputs);
        Map<String, TensorInfo> infos = new HashMap<>();
        for (TensorInfo t : source.tensors()) infos.put(t.name(), t);

        long start = System.nanoTime();
        try (Arena arena = Arena.ofShared()) {
            List<Item> items = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            PackedScheme packedScheme = null;
            IntegerScheme firstPacked = null;
            for (TensorPlan p : plan.tensors()) {
                TensorInfo t = infos.get(p.name());
                Optional<String> name = ggufLlama ? LlamaGgufToHf.hfName(t.name()) : Optional.of(t.name());
                if (name.isEmpty()) {
                    skipped.add(t.name());
                    continue;
                }
                long rowLength = t.shape().rank() == 0 ? 1 : Math.max(1, t.shape().rowLength());
                if (options.packed() && packable(p, t, name.get())) {
                    IntegerScheme s = (IntegerScheme) p.scheme();
                    PackedScheme ps = packedScheme(s, t, format);
                    if (packedScheme == null) {
                        packedScheme = ps;
                        firstPacked = s;
                    } else if (!packedScheme.equals(ps)) {
                        throw new IllegalArgumentException(t.name() + ": " + s.id() + " and " + firstPacked.id()
                                + " cannot share one packed file (compressed-tensors pack-quantized holds one integer "
                                + "scheme); use one integer scheme for every Linear weight, or export dequantized");
                    }
                    int rows = Math.toIntExact(t.parameters() / rowLength);
                    PackedStore store = new PackedStore(s, rows, (int) rowLength);
                    TensorTask task = new TensorTask(t, new Conversion.RoundTrip(s, rowLength, store),
                            QuantizePipeline.allocate(arena, store.byteSize()));
                    items.add(new Item(p, t, name.get(), task, store));
                } else {
                    long bytes = Math.multiplyExact(t.parameters(), format.bytes());
                    TensorTask task = new TensorTask(t, new Conversion.RoundTrip(p.scheme(), rowLength,
                            floatStore(format, rowLength)), QuantizePipeline.allocate(arena, bytes));
                    items.add(new Item(p, t, name.get(), task, null));
                }
            }
            if (options.packed() && packedScheme == null) {
                throw new IllegalArgumentException("nothing to pack: no Linear weight has a 4- or 8-bit integer scheme "
                        + "(e.g. int4-asym-g128-rtn); export without --packed to write the model dequantized");
            }

            Optional<RecipeStamp> stamp = ModelExport.stamp(source, plan.recipe(), options, monitor);
            List<ErrorMetrics> errors = QuantizePipeline.convert(items.stream().map(Item::task).toList(),
                    options.threads(), ModelExport.convertPhase(monitor));
            long converted = System.nanoTime();

            Map<String, String> metadata = new LinkedHashMap<>();
            stamp.ifPresent(s -> metadata.putAll(s.metadata()));
            // A classifier stays one: its architecture (from the source's metadata, a file beside it, or its Linear
            // chain) goes into the export, which otherwise could not be run (its tensors keep their names and shapes).
            if (!ggufLlama) {
                Classifier.architectureOf(source, InputShape.image(28, 28))
                        .ifPresent(a -> metadata.put(ArchitectureJson.METADATA_KEY, ArchitectureJson.write(a)));
            }
            List<DequantizedTensor> dense = dense(source, items, format, ggufLlama, arena);
            SafetensorsWriterLayout layout;
            Optional<Path> config = Optional.empty();
            List<TensorExport> results = new ArrayList<>();
            if (packedScheme == null) {
                layout = DequantizedExport.write(dense, metadata, out, inputs, ModelExport.writePhase(monitor));
            } else {
                Map<String, DequantizedTensor> denseByName = new HashMap<>();
                for (DequantizedTensor d : dense) denseByName.put(d.name(), d);
                List<PackedQuantizedExport.Entry> entries = new ArrayList<>();
                List<String> ignore = new ArrayList<>();
                for (Item it : items) {
                    if (it.packed() == null) {
                        entries.add(new PackedQuantizedExport.Dense(denseByName.get(it.outputName())));
                        if (isLinear(it.source(), it.outputName())) ignore.add(module(it.outputName()));
                    } else {
                        entries.add(quantized(source, it, ggufLlama));
                    }
                }
                layout = PackedQuantizedExport.write(packedScheme, entries, metadata, out, inputs,
                        ModelExport.writePhase(monitor));
                Path configFile = out.toAbsolutePath().resolveSibling("config.json");
                try {
                    // The weights are committed: finish the export rather than cancel it half done (a packed file
                    // without its quantization_config loads as garbage), and take them back if config.json fails.
                    HfConfigJson.write(config(source, ggufLlama, format,
                            PackedQuantizedExport.quantizationConfig(packedScheme, ignore)), configFile, inputs,
                            ProgressMonitor.NONE);
                } catch (IOException | RuntimeException e) {
                    try {
                        Files.deleteIfExists(out);
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                }
                config = Optional.of(configFile);
            }
            for (int i = 0; i < items.size(); i++) {
                Item it = items.get(i);
                results.add(new TensorExport(it.source().name(), packedName(it), it.source().dtype(), it.plan().scheme(),
                        it.packed() == null ? format + " dequantized" : "int" + packedScheme.bits() + " packed",
                        it.plan().size(), it.packed() == null ? it.task().output().byteSize()
                        : packedFileBytes(packedScheme, it.packed()), errors.get(i)));
            }
            long written = System.nanoTime();
            return new ExportResult(out, OutputFormat.SAFETENSORS, results, layout.fileSize(), config, stamp, skipped,
                    options.threads(), converted - start, written - converted, List.of());
        }
    }

    private static String packedName(Item it) {
        return it.packed() == null ? it.outputName() : module(it.outputName());
    }

    /** Stores dequantized rows as {@code format}, leaving in {@code values} the rounded values the file holds. */
    private static Conversion.Store floatStore(FloatFormat format, long rowLength) {
        return (firstRow, q, values, output) -> {
            long at = Math.multiplyExact(Math.multiplyExact(firstRow, rowLength), format.bytes());
            ByteBuffer b = output.asSlice(at, (long) values.length * format.bytes()).asByteBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN);
            format.encode(values, 0, values.length, b);
            for (int i = 0; i < values.length; i++) values[i] = rounded(format, values[i]);
        };
    }

    private static float rounded(FloatFormat format, float v) {
        return switch (format) {
            case F32 -> v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BF16 -> Float.intBitsToFloat(FloatFormat.toBfloat16(v) << 16);
        };
    }

    /** A Linear weight compressed-tensors can pack: an integer scheme on a 2-D non-embedding {@code .weight}. */
    private static boolean packable(TensorPlan p, TensorInfo t, String outputName) {
        return p.scheme() instanceof IntegerScheme && isLinear(t, outputName);
    }

    private static boolean isLinear(TensorInfo t, String outputName) {
        return t.shape().rank() == 2 && outputName.endsWith(".weight") && !outputName.contains("embed");
    }

    private static String module(String weightName) {
        return weightName.substring(0, weightName.length() - ".weight".length());
    }

    private static PackedScheme packedScheme(IntegerScheme s, TensorInfo t, FloatFormat format) {
        if (s.bits() != 4 && s.bits() != 8) {
            throw new IllegalArgumentException(t.name() + ": " + s.id() + " has " + s.bits() + " bits; "
                    + "compressed-tensors pack-quantized takes 4 or 8");
        }
        long columns = t.shape().rowLength();
        int group = switch (s.granularity()) {
            case Granularity.PerChannel c -> PackedScheme.CHANNEL;
            case Granularity.Group g -> {
                if (columns % g.size() != 0) {
                    throw new IllegalArgumentException(t.name() + ": rows of " + columns + " are not whole groups of "
                            + g.size() + ", which pack-quantized requires; choose a group size that divides them");
                }
                yield g.size();
            }
            case Granularity.PerTensor x -> throw new IllegalArgumentException(t.name() + ": " + s.id()
                    + " has one scale per tensor; the packed export takes per-channel (row) or group scales");
        };
        return new PackedScheme(s.bits(), s.symmetric(), group, format);
    }

    /** The dense (float) tensors under their output names and shapes, read from the converted bytes. */
    private static List<DequantizedTensor> dense(Model source, List<Item> items, FloatFormat format, boolean ggufLlama,
                                                 Arena arena) {
        DType dtype = switch (format) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
        };
        List<TensorInfo> converted = new ArrayList<>();
        for (Item it : items) {
            if (it.packed() != null) continue;
            MemorySegment bytes = it.task().output();
            converted.add(new TensorInfo(it.source().name(), it.source().shape(), dtype, bytes.byteSize(), bytes));
        }
        if (ggufLlama) {
            // The same model with the converted values: LlamaGgufToHf names, reshapes and un-permutes it.
            // The model is never closed: the arena is the export's own.
            Model view = new Model(source.source(), source.format(), converted, source.metadata(), arena, null);
            return LlamaGgufToHf.plan(view, format).tensors();
        }
        List<DequantizedTensor> out = new ArrayList<>();
        for (TensorInfo t : converted) {
            long[] dims = t.shape().dims();
            if (t.shape().order() == Shape.Order.FASTEST_FIRST) {
                long[] r = new long[dims.length];
                for (int d = 0; d < dims.length; d++) r[d] = dims[dims.length - 1 - d];
                dims = r;
            }
            long rowLength = t.shape().rank() == 0 ? 1 : Math.max(1, t.shape().rowLength());
            out.add(new DequantizedTensor(t.name(), dims, format, RowSource.of(t, rowLength)));
        }
        return out;
    }

    /** A packed Linear, its rows in HF order (a GGUF Llama's q and k rows un-permuted as {@link LlamaGgufToHf} does). */
    private static PackedQuantizedExport.Quantized quantized(Model source, Item it, boolean ggufLlama) {
        PackedStore store = it.packed();
        LongUnaryOperator rows = LongUnaryOperator.identity();
        if (ggufLlama) {
            String n = it.source().name();
            boolean q = n.matches("blk\\.\\d+\\.attn_q\\.weight");
            boolean k = n.matches("blk\\.\\d+\\.attn_k\\.weight");
            if (q || k) {
                long heads = number(source, "llama.attention.head_count");
                long kvHeads = source.metadata().containsKey("llama.attention.head_count_kv")
                        ? number(source, "llama.attention.head_count_kv") : heads;
                rows = LlamaGgufToHf.unpermuteRope(store.rows(), q ? heads : kvHeads);
            }
        }
        LongUnaryOperator order = rows;
        MemorySegment bytes = it.task().output();
        return new PackedQuantizedExport.Quantized(module(it.outputName()), store.rows(), store.columns(),
                () -> store.load(bytes, order));
    }

    private static long packedFileBytes(PackedScheme s, PackedStore p) {
        long factor = s.packFactor();
        long groups = s.groups(p.columns());
        long bytes = Math.multiplyExact((long) p.rows() * Math.ceilDiv(p.columns(), factor), 4L);
        bytes = Math.addExact(bytes, (long) p.rows() * groups * s.scaleFormat().bytes());
        if (!s.symmetric()) bytes = Math.addExact(bytes, Math.ceilDiv(p.rows(), factor) * groups * 4);
        return Math.addExact(bytes, 16); // weight_shape
    }

    /** config.json: the source's own (a Hugging Face folder), or one built from a GGUF Llama's metadata. */
    private static Map<String, Object> config(Model source, boolean ggufLlama, FloatFormat format,
                                              Map<String, Object> quantization) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        if (source.metadata().get("config.json") instanceof Map<?, ?> own) {
            own.forEach((k, v) -> cfg.put(String.valueOf(k), v));
        } else if (ggufLlama) {
            LlamaConfig c = LlamaConfig.of(source);
            // config.json gets no rope_scaling yet: refuse rather than export a model that forgot its long context.
            if (c.ropeScaling() instanceof dev.quantscope.engine.llama.RopeScaling.Yarn || !c.ropeFreqFactors().isEmpty()) {
                throw new IllegalArgumentException(source.source() + ": exporting YaRN or Llama 3 RoPE scaling to config.json is not supported");
            }
            cfg.put("architectures", List.of("LlamaForCausalLM"));
            cfg.put("model_type", "llama");
            cfg.put("hidden_size", c.dim());
            cfg.put("intermediate_size", c.ffnDim());
            cfg.put("num_hidden_layers", c.layers());
            cfg.put("num_attention_heads", c.heads());
            cfg.put("num_key_value_heads", c.kvHeads());
            cfg.put("head_dim", c.headDim());
            cfg.put("vocab_size", c.vocab());
            cfg.put("max_position_embeddings", c.contextLength());
            cfg.put("rms_norm_eps", Double.parseDouble(Float.toString(c.rmsEps()))); // 1e-5, not 9.99999974e-6
            cfg.put("rope_theta", c.ropeTheta());
            cfg.put("hidden_act", "silu");
            cfg.put("tie_word_embeddings", source.tensor("output.weight").isEmpty());
        }
        cfg.put("torch_dtype", switch (format) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        });
        cfg.put("quantization_config", quantization);
        return cfg;
    }

    private static long number(Model m, String key) {
        if (m.metadata().get(key) instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("GGUF key " + key + " is missing or not a number");
    }
}
