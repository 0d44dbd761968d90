package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.ElementDecoder;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The common frame of every ggml block decoder: it checks the requested range once, then hands a whole run of
 * blocks to the format's own loop. The loop lives in each subclass (not here, calling a per-block function through
 * an interface) so that the JIT compiles one monomorphic loop per format, with the block kernel inlined.
 */
abstract sealed class GgmlBlockDecoder implements ElementDecoder
        permits BlockQ4_0, BlockQ4_1, BlockQ5_0, BlockQ5_1, BlockQ8_0, BlockQ8_K,
                BlockQ2_K, BlockQ3_K, BlockQ4_K, BlockQ5_K, BlockQ6_K,
                BlockIQ4_NL, BlockTQ1_0, BlockTQ2_0, BlockMXFP4,
                VectorDecoders.Q8_0, VectorDecoders.Q4_0, VectorDecoders.Q4_1, VectorDecoders.Q5_0,
                VectorDecoders.Q2_K, VectorDecoders.Q3_K, VectorDecoders.Q4_K, VectorDecoders.Q5_K,
                VectorDecoders.Q6_K, VectorDecoders.IQ4_NL {

    private final DType type;

    GgmlBlockDecoder(DType type) {
        this.type = type;
    }

    /** The block type this decoder reads. */
    final DType type() { return type; }

    @Override
    public final void decode(MemorySegment src, long firstElement, float[] dst, int dstOffset, int count) {
        int blockElements = type.blockElements();
        if (firstElement < 0 || firstElement % blockElements != 0 || count < 0 || count % blockElements != 0) {
            throw new IllegalArgumentException(type + ": range [" + firstElement + ", +" + count
                    + ") is not a whole number of blocks of " + blockElements);
        }
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        int blocks = count / blockElements;
        long firstByte = Math.multiplyExact(firstElement / blockElements, (long) type.blockBytes());
        long bytes = Math.multiplyExact((long) blocks, (long) type.blockBytes());
        Objects.checkFromIndexSize(firstByte, bytes, src.byteSize());
        if (blocks == 0) return;
        // A slice bounded to exactly the blocks read lets the JIT drop the per-read bounds checks in the loop.
        decodeBlocks(src.asSlice(firstByte, bytes), blocks, dst, dstOffset);
    }

    /** For test messages and logs: the type and the implementation, e.g. {@code Q4_K (VectorDecoders$Q4_K)}. */
    @Override
    public String toString() {
        String cls = getClass().getName();
        return type + " (" + cls.substring(cls.lastIndexOf('.') + 1) + ")";
    }

    /**
     * Decodes {@code blocks} consecutive blocks, the first at byte 0 of {@code blocksBytes} (which holds exactly
     * those blocks), into {@code dst} from {@code dstOffset}. Arguments are already validated.
     */
    abstract void decodeBlocks(MemorySegment blocksBytes, int blocks, float[] dst, int dstOffset);
}
