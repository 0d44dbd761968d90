package dev.quantscope.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Turns stored elements of one dtype into floats, streaming: callers decode a tensor chunk by chunk, so no
 * whole tensor ever needs to live on the heap.
 */
@FunctionalInterface
public interface ElementDecoder {
    /**
     * Decodes {@code count} elements starting at element {@code firstElement} of {@code src}.
     * For block types, {@code firstElement} and {@code count} must be multiples of the block size
     * (the last chunk of a tensor is always a whole number of blocks).
     */
    void decode(MemorySegment src, long firstElement, float[] dst, int dstOffset, int count);
}
