package dev.quantscope.format.safetensors.sparse;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.TensorInfo;

import java.nio.file.Path;

/**
 * A tensor as a safetensors file holds it, with where it came from, so that a problem found in it names the
 * file, the tensor and its header entry.
 *
 * @param file         the .safetensors file
 * @param headerOffset byte offset of the tensor's entry in the file's JSON header
 * @param tensor       the tensor, its bytes a view into the mapped file
 */
public record StoredTensor(Path file, long headerOffset, TensorInfo tensor) {

    public String name() { return tensor.name(); }

    /** A format error about this tensor: {@code file: tensor 'W.bitmask' at byte 123: problem}. */
    ModelFormatException error(String problem) {
        return new ModelFormatException(file, "tensor '" + name() + "'", headerOffset, problem);
    }
}
