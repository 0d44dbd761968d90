package dev.quantscope.format.safetensors;

import java.util.List;
import java.util.Optional;

/**
 * What a safetensors model keeps beyond its tensors ({@link dev.quantscope.format.Model#details()}): each file's
 * parsed header, and the shard index when the model is sharded.
 */
public record SafetensorsDetails(List<SafetensorsHeader> files, Optional<ShardIndex> index) {
    public SafetensorsDetails {
        files = List.copyOf(files);
    }
}
