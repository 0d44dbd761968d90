package dev.quantscope.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One tensor of an open model: its name, shape and element type, and a view over its bytes. The bytes are
 * usually a slice of the memory-mapped file and stay valid until the model is closed; nothing is copied.
 *
 * @param name      the tensor's name as the file spells it
 * @param shape     dimensions in the file's own convention
 * @param dtype     element type
 * @param byteSize  bytes the data takes
 * @param data      the tensor's bytes (little-endian), {@code byteSize} long
 */
public record TensorInfo(String name, Shape shape, DType dtype, long byteSize, MemorySegment data) {

    public TensorInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(shape);
        Objects.requireNonNull(dtype);
        Objects.requireNonNull(data);
        if (data.byteSize() != byteSize) {
            throw new IllegalArgumentException(name + ": view is " + data.byteSize() + " bytes, expected " + byteSize);
        }
    }

    /** Number of parameters (elements). */
    public long parameters() { return shape.elementCount(); }

    /** Whether {@link Decoders} can turn this tensor's elements into floats. */
    public boolean decodable() { return Decoders.find(dtype).isPresent(); }
}
