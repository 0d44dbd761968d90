package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A quantizer producing exactly the bytes of ggml's reference quantizer for one block type: the path
 * {@code ggml_quantize_chunk} takes without an importance matrix, which is what {@code llama-quantize} runs
 * without {@code --imatrix}.
 *
 * <p>An instance owns scratch arrays so that quantizing allocates nothing per block; it is therefore not
 * thread-safe. Create one per thread with {@link #create(DType)}. Blocks are independent, so any split of a
 * tensor into block-aligned ranges (rows, chunks of rows) gives the same bytes as quantizing it whole.
 */
public sealed abstract class GgmlQuantizer
        permits Q4_0Quantizer, Q4_1Quantizer, Q5_0Quantizer, Q5_1Quantizer, Q8_0Quantizer,
                Q2_KQuantizer, Q3_KQuantizer, ScaleMinKQuantizer, Q6_KQuantizer,
                IQ4_NLQuantizer, TQ1_0Quantizer, TQ2_0Quantizer, WeightedQuantizer {

    /** Blocks staged in the byte scratch before one bulk copy into a {@link MemorySegment}. */
    private static final int STAGED_BLOCKS = 64;

    private static final Set<DType> SUPPORTED = EnumSet.of(
            DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q8_0,
            DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K,
            DType.IQ4_NL, DType.TQ1_0, DType.TQ2_0);

    private final DType type;
    private final int blockElements;
    private final int blockBytes;
    private byte[] staging;

    GgmlQuantizer(DType type) {
        this.type = type;
        this.blockElements = type.blockElements();
        this.blockBytes = type.blockBytes();
    }

    /** The types ggml can quantize to that this package reproduces. */
    public static Set<DType> supportedTypes() {
        return Set.copyOf(SUPPORTED);
    }

    public static boolean supports(DType type) {
        return SUPPORTED.contains(type);
    }

    /**
     * A new quantizer for {@code type}.
     * @throws IllegalArgumentException when {@code type} is not one of {@link #supportedTypes()}
     */
    public static GgmlQuantizer create(DType type) {
        return switch (type) {
            case Q4_0 -> new Q4_0Quantizer();
            case Q4_1 -> new Q4_1Quantizer();
            case Q5_0 -> new Q5_0Quantizer();
            case Q5_1 -> new Q5_1Quantizer();
            case Q8_0 -> new Q8_0Quantizer();
            case Q2_K -> new Q2_KQuantizer();
            case Q3_K -> new Q3_KQuantizer();
            case Q4_K -> new Q4_KQuantizer();
            case Q5_K -> new Q5_KQuantizer();
            case Q6_K -> new Q6_KQuantizer();
            case IQ4_NL -> new IQ4_NLQuantizer();
            case TQ1_0 -> new TQ1_0Quantizer();
            case TQ2_0 -> new TQ2_0Quantizer();
            default -> throw new IllegalArgumentException("no ggml quantizer for " + type);
        };
    }

    /**
     * A quantizer that weighs each column's error by {@code importance[column]}, as {@code ggml_quantize_chunk} does
     * when given {@code quant_weights} (an importance matrix row: mean squared input activation per column). Every
     * call to {@code quantize} must then cover whole rows of {@code importance.length} elements, starting at a row.
     * Types whose ggml quantizer ignores the weights (Q8_0, TQ1_0, TQ2_0) get the unweighted quantizer, as in ggml.
     * A {@code null} importance gives {@link #create(DType)}.
     *
     * @throws IllegalArgumentException when the type is unsupported, the row is not a whole number of blocks, or an
     *                                  importance value is negative or not finite
     */
    public static GgmlQuantizer create(DType type, float[] importance) {
        if (importance == null || !usesImportance(type)) return create(type);
        return WeightedQuantizer.of(type, importance);
    }

    /** Whether ggml's quantizer for {@code type} takes an importance matrix into account. */
    public static boolean usesImportance(DType type) {
        return WeightedQuantizer.TYPES.contains(type);
    }

    public final DType type() { return type; }

    /** Bytes that {@code elements} quantized elements take (a whole number of blocks). */
    public final long byteSize(long elements) { return type.byteSize(elements); }

    /** Storage bits per weight, block scales included. */
    public final double bitsPerWeight() { return type.bitsPerElement(); }

    /**
     * Quantizes {@code n} floats from {@code src[srcOff..]} into {@code dst[dstOff..]}.
     * @throws IllegalArgumentException when {@code n} is not a whole number of blocks
     */
    public final void quantize(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        int blocks = checkedBlocks(n);
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, Math.multiplyExact(blocks, blockBytes), dst.length);
        beginRange(srcOff, n);
        quantizeBlocks(src, srcOff, blocks, dst, dstOff);
    }

    /**
     * Quantizes {@code n} floats from {@code src[srcOff..]} into {@code dst} at byte offset {@code dstOff}.
     * @throws IllegalArgumentException when {@code n} is not a whole number of blocks
     */
    public final void quantize(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int blocks = checkedBlocks(n);
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, Math.multiplyExact((long) blocks, blockBytes), dst.byteSize());
        beginRange(srcOff, n);
        if (staging == null) staging = new byte[STAGED_BLOCKS * blockBytes];
        for (int b = 0; b < blocks; b += STAGED_BLOCKS) {
            int count = Math.min(STAGED_BLOCKS, blocks - b);
            quantizeBlocks(src, srcOff + b * blockElements, count, staging, 0);
            MemorySegment.copy(staging, 0, dst, ValueLayout.JAVA_BYTE,
                    dstOff + (long) b * blockBytes, count * blockBytes);
        }
    }

    private int checkedBlocks(int n) {
        if (n < 0 || n % blockElements != 0) {
            throw new IllegalArgumentException(n + " elements is not a whole number of " + type
                    + " blocks of " + blockElements);
        }
        return n / blockElements;
    }

    /**
     * Called before the blocks of one {@code quantize} call, which cover {@code src[srcOff, srcOff+n)} in order.
     * Blocks of the reference quantizers are independent, so by default nothing happens; weighted quantizers need
     * to know where rows start.
     */
    void beginRange(int srcOff, int n) {}

    /**
     * Quantizes {@code count} consecutive blocks. Types whose search runs several blocks in vector lanes at once
     * override this; the bytes are those of {@link #quantizeBlock} block by block.
     */
    void quantizeBlocks(float[] x, int xo, int count, byte[] y, int yo) {
        for (int b = 0; b < count; b++) quantizeBlock(x, xo + b * blockElements, y, yo + b * blockBytes);
    }

    /** Quantizes one block: {@code blockElements} floats at {@code x[xo]} to {@code blockBytes} at {@code y[yo]}. */
    abstract void quantizeBlock(float[] x, int xo, byte[] y, int yo);
}
