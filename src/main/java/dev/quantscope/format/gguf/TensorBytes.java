package dev.quantscope.format.gguf;

import java.lang.foreign.MemorySegment;

/**
 * Where a tensor's bytes come from when a GGUF file is written: memory at hand (a mapped source, a converted
 * tensor), or bytes made only when the writer reaches the tensor and released as soon as they are written, so that a
 * conversion streams tensor by tensor and never holds the whole output.
 */
public sealed interface TensorBytes {

    long byteSize();

    /** Bytes that exist already; the writer reads them back to verify the file. */
    record Present(MemorySegment data) implements TensorBytes {
        @Override
        public long byteSize() { return data.byteSize(); }
    }

    /**
     * Bytes made on demand: {@link #open()} once, when the writer reaches the tensor, then {@link #release} when it has
     * written them. The writer verifies them by a checksum taken while writing.
     */
    non-sealed interface Produced extends TensorBytes {
        /** The tensor's bytes, exactly {@link #byteSize()} of them, valid until {@link #release}. */
        MemorySegment open();

        /** The bytes of {@link #open()} are no longer needed. */
        void release();
    }
}
