package dev.quantscope.format.gguf;

import java.util.List;
import java.util.Optional;

/**
 * The GGUF-specific structure of an open file, kept as {@link dev.quantscope.format.Model#details()} so that a
 * writer can reproduce the metadata with its exact types.
 *
 * @param version    2 or 3
 * @param alignment  data alignment (general.alignment, default 32)
 * @param dataOffset absolute file offset of the tensor data section
 */
public record GgufFile(int version, int alignment, long dataOffset, List<GgufKv> metadata,
                      List<GgufTensorEntry> tensors) {
    public GgufFile {
        metadata = List.copyOf(metadata);
        tensors = List.copyOf(tensors);
    }

    public Optional<GgufKv> kv(String key) {
        return metadata.stream().filter(kv -> kv.key().equals(key)).findFirst();
    }
}
