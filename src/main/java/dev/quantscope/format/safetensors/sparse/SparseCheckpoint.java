package dev.quantscope.format.safetensors.sparse;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Opens safetensors checkpoints that compressed-tensors stored in one of its sparse formats as the dense model
 * they stand for. A weight {@code W} is found by the tensors {@code P.compressed} and {@code P.bitmask} (with
 * {@code P.shape}, and {@code P.row_offsets} in sparse-bitmask) sharing a prefix {@code P}; it is expanded into
 * memory of the model's arena, so it lives exactly as long as the model. Every other tensor passes through
 * unchanged. The format comes from config.json when there is one, else from the tensors themselves.
 *
 * <p>Names: since version 0.9 (January 2025) the library compresses only {@code .weight} tensors and writes them
 * under the module's name ({@code layer.compressed} for {@code layer.weight}); until 0.8 it compressed every tensor
 * under its full name ({@code layer.weight.compressed}, {@code layer.bias.compressed}). A checkpoint in which any
 * prefix ends in {@code .weight} is of the older kind, and each prefix is the dense name itself; in any other, a
 * prefix is a module and its dense tensor is {@code P.weight}. (A module is never called "weight", and an older
 * checkpoint always has weights among its compressed tensors.)
 */
public final class SparseCheckpoint {
    private SparseCheckpoint() {}

    /** Metadata key: the sparse format the checkpoint was stored in, as the library spells it. */
    public static final String FORMAT_KEY = "sparse.format";
    /** Metadata key: how many dense tensors were expanded from it. */
    public static final String TENSORS_KEY = "sparse.tensors";

    /** config.json of the checkpoint, read only when a compressed weight is found (it names the format). */
    @FunctionalInterface
    public interface ConfigJson {
        Optional<Map<?, ?>> read() throws IOException;
    }

    /** The model's tensors with every sparse weight expanded, and the metadata that says so (empty if none). */
    public record Expanded(List<TensorInfo> tensors, Map<String, Object> metadata) {
        public Expanded {
            tensors = List.copyOf(tensors);
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    private enum Part {
        COMPRESSED("compressed"), BITMASK("bitmask"), SHAPE("shape"), ROW_OFFSETS("row_offsets");

        final String suffix;

        Part(String suffix) { this.suffix = "." + suffix; }
    }

    public static Expanded expand(List<StoredTensor> stored, ConfigJson config, Arena arena) throws IOException {
        Map<String, Map<Part, StoredTensor>> groups = groups(stored);
        if (groups.isEmpty()) return new Expanded(stored.stream().map(StoredTensor::tensor).toList(), Map.of());

        Optional<SparseFormat> declared = config.read().flatMap(SparseFormat::declaredIn);
        Set<String> consumed = new HashSet<>();
        List<CompressedWeight> weights = new ArrayList<>();
        boolean fullNames = groups.keySet().stream().anyMatch(p -> p.equals("weight") || p.endsWith(".weight"));
        for (Map.Entry<String, Map<Part, StoredTensor>> g : groups.entrySet()) {
            String prefix = g.getKey();
            weights.add(complete(prefix, fullNames ? prefix : prefix + ".weight", g.getValue()));
            g.getValue().values().forEach(t -> consumed.add(t.name()));
        }
        List<TensorInfo> out = new ArrayList<>();
        Set<String> plainNames = new HashSet<>();
        for (StoredTensor t : stored) {
            if (consumed.contains(t.name())) continue;
            out.add(t.tensor());
            plainNames.add(t.name());
        }
        Set<String> formats = new LinkedHashSet<>();
        for (CompressedWeight w : weights) {
            if (plainNames.contains(w.denseName())) {
                throw w.compressed().error("stands for '" + w.denseName() + "', which the checkpoint also stores"
                        + " uncompressed");
            }
            SparseFormat format = declared.orElseGet(w::layoutByParts);
            formats.add(format.configName());
            out.add(BitmaskExpansion.expand(w, format, arena));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, formats.stream().collect(Collectors.joining(", ")));
        meta.put(TENSORS_KEY, (long) weights.size());
        return new Expanded(out, meta);
    }

    /** Tensors by the prefix they share, for the prefixes that have a {@code .compressed} or a {@code .bitmask}. */
    private static Map<String, Map<Part, StoredTensor>> groups(List<StoredTensor> stored) {
        Map<String, Map<Part, StoredTensor>> byPrefix = new LinkedHashMap<>();
        for (StoredTensor t : stored) {
            for (Part p : Part.values()) {
                String name = t.name();
                if (name.length() > p.suffix.length() && name.endsWith(p.suffix)) {
                    String prefix = name.substring(0, name.length() - p.suffix.length());
                    byPrefix.computeIfAbsent(prefix, k -> new LinkedHashMap<>()).put(p, t);
                }
            }
        }
        byPrefix.values().removeIf(parts -> !parts.containsKey(Part.COMPRESSED) && !parts.containsKey(Part.BITMASK));
        return byPrefix;
    }

    private static CompressedWeight complete(String prefix, String denseName, Map<Part, StoredTensor> parts)
            throws ModelFormatException {
        StoredTensor compressed = parts.get(Part.COMPRESSED);
        StoredTensor bitmask = parts.get(Part.BITMASK);
        StoredTensor shape = parts.get(Part.SHAPE);
        if (compressed == null) {
            throw bitmask.error("has no '" + prefix + Part.COMPRESSED.suffix + "' beside it: the values it marks"
                    + " are missing");
        }
        if (bitmask == null) {
            throw compressed.error("has no '" + prefix + Part.BITMASK.suffix + "' beside it: where its values go"
                    + " is unknown");
        }
        if (shape == null) {
            throw compressed.error("has no '" + prefix + Part.SHAPE.suffix + "' beside it: the dense tensor's"
                    + " shape is unknown");
        }
        return new CompressedWeight(denseName, compressed, bitmask, shape,
                Optional.ofNullable(parts.get(Part.ROW_OFFSETS)));
    }
}
