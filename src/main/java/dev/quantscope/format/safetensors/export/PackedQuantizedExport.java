package dev.quantscope.format.safetensors.export;

import dev.quantscope.format.safetensors.SafetensorsDType;
import dev.quantscope.format.safetensors.SafetensorsWriter;
import dev.quantscope.format.safetensors.SafetensorsWriterLayout;
import dev.quantscope.format.safetensors.SafetensorsWriterSource;
import dev.quantscope.format.safetensors.SafetensorsWriterTensor;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes integer-quantized Linear weights in compressed-tensors' "pack-quantized" layout, which vLLM (and
 * transformers with compressed-tensors installed) load. For a Linear module {@code M} with weight
 * {@code [out, in]} the file holds
 * <ul>
 *   <li>{@code M.weight_packed}: I32 {@code [out, ceil(in / (32/bits))]}, codes packed along the input dimension
 *       by {@link Int32Packing} (8 codes of 4 bits or 4 of 8 bits per int32, lowest bits first, each code stored
 *       as {@code code + 2^(bits-1)});</li>
 *   <li>{@code M.weight_scale}: {@code [out, in / group_size]} (group) or {@code [out, 1]} (channel), in the
 *       scheme's scale format;</li>
 *   <li>{@code M.weight_zero_point} (asymmetric only): I32 {@code [ceil(out / (32/bits)), groups]}, zero points
 *       packed the same way but along the output dimension;</li>
 *   <li>{@code M.weight_shape}: I64 {@code [2]} = {@code [out, in]}.</li>
 * </ul>
 * Dequantization is {@code (code − zero_point) · scale}. Other tensors (embeddings, norms, an ignored lm_head)
 * are written as plain floats. The matching config.json block is {@link #quantizationConfig}; the file's
 * {@code __metadata__} carries {@code format: pt} and a description of the scheme.
 */
public final class PackedQuantizedExport {
    private PackedQuantizedExport() {}

    /** Loads one module's codes and scales when its tensors are written; called once per tensor of the module. */
    @FunctionalInterface
    public interface Loader {
        PackedLinearWeight load() throws IOException;
    }

    /** One entry of the export. */
    public sealed interface Entry permits Quantized, Dense {}

    /** A quantized Linear: {@code module} is the name without ".weight", e.g. "model.layers.0.mlp.up_proj". */
    public record Quantized(String module, int rows, int columns, Loader weight) implements Entry {
        public Quantized {
            Objects.requireNonNull(module);
            Objects.requireNonNull(weight);
            if (rows <= 0 || columns <= 0) throw new IllegalArgumentException(module + ": shape " + rows + "×" + columns);
        }
    }

    /** A tensor written as floats. */
    public record Dense(DequantizedTensor tensor) implements Entry {}

    public static SafetensorsWriterLayout write(PackedScheme scheme, List<Entry> entries, Map<String, String> metadata,
                                                Path target, Collection<Path> inputs, ProgressMonitor monitor)
            throws IOException {
        return SafetensorsWriter.write(tensors(scheme, entries), metadata(scheme, metadata), target, inputs, monitor);
    }

    /** The {@code __metadata__} of an export: the caller's, plus format and scheme. */
    static Map<String, String> metadata(PackedScheme scheme, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", "pt");
        meta.put("quantization", "compressed-tensors pack-quantized");
        meta.put("quantization.scheme", scheme.describe());
        return meta;
    }

    /** The tensors the file holds, each converting or packing as it is written. */
    public static List<SafetensorsWriterTensor> tensors(PackedScheme scheme, List<Entry> entries) {
        List<SafetensorsWriterTensor> out = new ArrayList<>();
        for (Entry e : entries) {
            switch (e) {
                case Dense d -> out.add(d.tensor().toWriterTensor());
                case Quantized q -> quantized(scheme, q, out);
            }
        }
        return out;
    }

    private static void quantized(PackedScheme scheme, Quantized q, List<SafetensorsWriterTensor> out) {
        int factor = scheme.packFactor();
        int groups = scheme.groups(q.columns());
        int packedColumns = (q.columns() + factor - 1) / factor;
        out.add(new SafetensorsWriterTensor(q.module() + ".weight_packed", SafetensorsDType.I32,
                new long[] {q.rows(), packedColumns}, sink -> {
                    PackedLinearWeight w = load(scheme, q);
                    int[] row = new int[packedColumns];
                    ByteBuffer bytes = ByteBuffer.allocate(packedColumns * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (int r = 0; r < q.rows(); r++) {
                        Int32Packing.packRow(w.codes(), r * q.columns(), q.columns(), scheme.bits(), row, 0);
                        bytes.clear().asIntBuffer().put(row);
                        sink.write(bytes.limit(packedColumns * 4));
                    }
                }));
        out.add(new SafetensorsWriterTensor(q.module() + ".weight_scale", scheme.scaleFormat().dtype(),
                new long[] {q.rows(), groups}, sink -> {
                    float[] scales = load(scheme, q).scales();
                    ByteBuffer bytes = ByteBuffer.allocate(scales.length * scheme.scaleFormat().bytes())
                            .order(ByteOrder.LITTLE_ENDIAN);
                    scheme.scaleFormat().encode(scales, 0, scales.length, bytes);
                    sink.write(bytes.flip());
                }));
        if (!scheme.symmetric()) {
            int packedRows = (q.rows() + factor - 1) / factor;
            out.add(new SafetensorsWriterTensor(q.module() + ".weight_zero_point", SafetensorsDType.I32,
                    new long[] {packedRows, groups}, sink -> {
                        PackedLinearWeight w = load(scheme, q);
                        int[] packed = Int32Packing.packColumns(w.zeroPoints(), q.rows(), groups, scheme.bits());
                        ByteBuffer bytes = ByteBuffer.allocate(packed.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                        bytes.asIntBuffer().put(packed);
                        sink.write(bytes);
                    }));
        }
        out.add(new SafetensorsWriterTensor(q.module() + ".weight_shape", SafetensorsDType.I64, new long[] {2},
                SafetensorsWriterSource.of(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(q.rows()).putLong(q.columns()).array())));
    }

    private static PackedLinearWeight load(PackedScheme scheme, Quantized q) throws IOException {
        PackedLinearWeight w = q.weight().load();
        w.check(scheme, q.rows(), q.columns(), q.module());
        return w;
    }

    /**
     * config.json's {@code quantization_config} for this export, as compressed-tensors' {@code QuantizationConfig}
     * serializes it: one config group targeting every {@code Linear}, minus {@code ignore} (module names kept in
     * floats, e.g. "lm_head").
     */
    public static Map<String, Object> quantizationConfig(PackedScheme scheme, List<String> ignore) {
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("num_bits", scheme.bits());
        weights.put("type", "int");
        weights.put("symmetric", scheme.symmetric());
        weights.put("group_size", scheme.groupSize() == PackedScheme.CHANNEL ? null : scheme.groupSize());
        weights.put("strategy", scheme.strategy());
        weights.put("block_structure", null);
        weights.put("dynamic", false);
        weights.put("actorder", null);
        weights.put("observer", "minmax");
        weights.put("observer_kwargs", Map.of());

        Map<String, Object> group = new LinkedHashMap<>();
        group.put("targets", List.of("Linear"));
        group.put("weights", weights);
        group.put("input_activations", null);
        group.put("output_activations", null);
        group.put("format", "pack-quantized");

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("quant_method", "compressed-tensors");
        config.put("format", "pack-quantized");
        config.put("quantization_status", "compressed");
        config.put("config_groups", Map.of("group_0", group));
        config.put("ignore", List.copyOf(ignore));
        config.put("kv_cache_scheme", null);
        config.put("global_compression_ratio", null);
        return config;
    }
}
