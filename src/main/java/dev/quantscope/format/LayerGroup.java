package dev.quantscope.format;

import dev.quantscope.tensor.TensorInfo;

import java.util.List;

/**
 * Tensors that belong to one layer, e.g. every {@code blk.3.*}.
 *
 * @param name  the group's display name: the shared prefix such as "blk.3", or a top-level name for tensors
 *              outside any numbered layer
 * @param index the layer number, or -1 for tensors that are not in a numbered layer
 */
public record LayerGroup(String name, int index, List<TensorInfo> tensors) {
    public LayerGroup {
        tensors = List.copyOf(tensors);
    }
}
