package dev.quantscope.format.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Produces one tensor's bytes when the writer reaches it, so an export of many gigabytes converts and writes
 * tensor by tensor, chunk by chunk, and never needs the whole model on the heap. The writer may call it more than
 * once only if it is given again; within one export each tensor is written exactly once.
 */
@FunctionalInterface
public interface SafetensorsWriterSource {
    /** Writes exactly the tensor's byte size, little-endian, row-major, into {@code sink}. */
    void writeTo(SafetensorsWriterSink sink) throws IOException;

    /** The bytes of an existing segment (a mapped tensor, or a small array in tests). */
    static SafetensorsWriterSource of(MemorySegment data) {
        return sink -> sink.write(data);
    }

    /** The bytes of an array. */
    static SafetensorsWriterSource of(byte[] data) {
        return of(MemorySegment.ofArray(data));
    }
}
