package dev.quantscope.format;

import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open model, whatever format it came from: tensors with views over the mapped file, metadata, and the
 * layer grouping. Closing it closes its arena, which unmaps the file; tensor views are invalid afterwards.
 *
 * <p>Metadata values are plain Java values: String, Long (integers; unsigned 64-bit values above Long.MAX_VALUE
 * are kept as {@link java.math.BigInteger}), Double, Boolean, List (arrays, possibly nested) and Map (JSON
 * objects, e.g. config.json).
 */
public final class Model implements AutoCloseable {
    private final Path source;
    private final ModelFormat format;
    private final List<TensorInfo> tensors;
    private final Map<String, Object> metadata;
    private final Arena arena;
    private final Object details;
    private final List<LayerGroup> layers;

    /**
     * @param details format-specific detail a writer may need later (e.g. GGUF's typed key/values), or null
     */
    public Model(Path source, ModelFormat format, List<TensorInfo> tensors, Map<String, Object> metadata,
                 Arena arena, Object details) {
        this.source = source;
        this.format = format;
        this.tensors = List.copyOf(tensors);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.arena = arena;
        this.details = details;
        this.layers = LayerGrouping.group(this.tensors);
    }

    public Path source() { return source; }

    public ModelFormat format() { return format; }

    public List<TensorInfo> tensors() { return tensors; }

    public Map<String, Object> metadata() { return metadata; }

    /** Tensors grouped into layers by their names, in file order of first appearance. */
    public List<LayerGroup> layers() { return layers; }

    /** Format-specific detail, such as GGUF's typed key/values; null when the reader has none. */
    public Object details() { return details; }

    public Optional<TensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public long parameterCount() {
        long n = 0;
        for (TensorInfo t : tensors) n = Math.addExact(n, t.parameters());
        return n;
    }

    public long tensorBytes() {
        long n = 0;
        for (TensorInfo t : tensors) n = Math.addExact(n, t.byteSize());
        return n;
    }

    /**
     * The architecture: GGUF's {@code general.architecture}, else config.json's {@code architectures[0]} or
     * {@code model_type}, else ONNX's producer-free "unknown".
     */
    public String architecture() {
        if (metadata.get("general.architecture") instanceof String s) return s;
        if (metadata.get("config.json") instanceof Map<?, ?> cfg) {
            if (cfg.get("architectures") instanceof List<?> l && !l.isEmpty()) return String.valueOf(l.getFirst());
            if (cfg.get("model_type") instanceof String s) return s;
        }
        return "unknown";
    }

    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
    }
}
