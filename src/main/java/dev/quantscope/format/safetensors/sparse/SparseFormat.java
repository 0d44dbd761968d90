package dev.quantscope.format.safetensors.sparse;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The two layouts in which compressed-tensors (Neural Magic's library, read by vLLM) stores a sparse weight
 * {@code W} of shape [rows, cols] as several tensors. Both keep the non-zero values in row-major order and a
 * bitmask of where they were, {@code ceil(cols / 8)} bytes per row, least significant bit first; they differ in
 * what else is written beside them.
 */
public enum SparseFormat {
    /** {@code W.compressed} (1-D, the kept values), {@code W.bitmask}, {@code W.row_offsets} (where each row's values start), {@code W.shape}. */
    SPARSE_BITMASK("sparse-bitmask"),
    /** 2:4 sparsity: {@code W.compressed} as [rows, cols / 2], {@code W.bitmask}, {@code W.shape} as a column [2, 1]. */
    SPARSE_24_BITMASK("sparse-24-bitmask");

    private final String configName;

    SparseFormat(String configName) { this.configName = configName; }

    /** How config.json and the library spell it. */
    public String configName() { return configName; }

    /** The format called {@code name} in a config.json, if it is one of these ("dense" and others are not). */
    public static Optional<SparseFormat> named(String name) {
        for (SparseFormat f : values()) if (f.configName.equals(name)) return Optional.of(f);
        return Optional.empty();
    }

    /**
     * The sparse format a Hugging Face config.json declares. The library has kept its sparsity config in three
     * places over its versions: under {@code quantization_config} (now), under {@code compression_config} (until
     * 2024-10) and at the top level (its first releases).
     */
    public static Optional<SparseFormat> declaredIn(Map<?, ?> configJson) {
        for (List<String> path : List.of(List.of("quantization_config", "sparsity_config", "format"),
                List.of("compression_config", "sparsity_config", "format"),
                List.of("sparsity_config", "format"))) {
            Object node = configJson;
            for (String key : path) node = node instanceof Map<?, ?> m ? m.get(key) : null;
            if (node instanceof String name) return named(name);
        }
        return Optional.empty();
    }
}
