package dev.quantscope.format.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Where a {@link SafetensorsWriterSource} puts a tensor's bytes, in order, in as many pieces as it likes. The
 * writer counts them: a source that writes more or fewer bytes than its tensor's dtype and shape take fails the
 * export instead of shifting every later tensor.
 */
public interface SafetensorsWriterSink {
    /** Writes the remaining bytes of {@code bytes} (its byte order does not matter: bytes are copied as they are). */
    void write(ByteBuffer bytes) throws IOException;

    /** Writes all bytes of {@code bytes}; any segment, of any size, heap or native. */
    void write(MemorySegment bytes) throws IOException;
}
