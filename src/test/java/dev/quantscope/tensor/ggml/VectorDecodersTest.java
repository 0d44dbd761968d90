package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Vector API decoders against the scalar ones on random blocks: every byte random, including scales across
 * the whole finite half range (subnormals too), so every code, scale and sign combination gets exercised.
 */
class VectorDecodersTest {
    private static final int BLOCKS = 3000;

    @BeforeAll
    static void needsVectorModule() {
        assumeTrue(GgmlDequantizers.vectorModulePresent(), "jdk.incubator.vector not loaded");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL"})
    void vectorEqualsScalarBitForBitOnRandomBlocks(DType type) {
        GgmlBlockDecoder scalar = GgmlDequantizers.scalar(type);
        GgmlBlockDecoder vector = GgmlDequantizers.vector(type);
        assertNotNull(vector);
        int n = BLOCKS * type.blockElements();
        Random random = new Random(0x9e3779b97f4a7c15L ^ type.ordinal());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(type.byteSize(n));
            for (long i = 0; i < src.byteSize(); i++) src.set(Layouts.I8, i, (byte) random.nextInt());
            for (int b = 0; b < BLOCKS; b++) {
                for (int field : halfFields(type)) {
                    src.set(Layouts.I16, (long) b * type.blockBytes() + field, finiteHalf(random));
                }
            }
            float[] expected = new float[n];
            float[] actual = new float[n];
            scalar.decode(src, 0, expected, 0, n);
            // Repeated so that the JIT compiles the loop and the vector operations become real SIMD
            // instructions: the compiled code is what must match, not only the interpreted fallback.
            for (int round = 0; round < 20; round++) {
                java.util.Arrays.fill(actual, Float.NaN);
                vector.decode(src, 0, actual, 0, n);
                GgmlReferenceVectorsTest.assertBitsEqual(expected, actual, type + " random blocks, round " + round);
            }

            // And an unaligned start in src and dst (an odd block, odd dst offset).
            int first = 17 * type.blockElements(), count = 101 * type.blockElements();
            float[] part = new float[count + 5];
            vector.decode(src, first, part, 5, count);
            GgmlReferenceVectorsTest.assertBitsEqual(java.util.Arrays.copyOfRange(expected, first, first + count),
                    java.util.Arrays.copyOfRange(part, 5, 5 + count), type + " random sub-range");
        }
    }

    /** Byte offsets of the ggml_half scales in one block: random bits there could be NaN or infinity. */
    private static int[] halfFields(DType type) {
        return switch (type) {
            case Q8_0 -> new int[] {BlockQ8_0.D};
            case Q4_0 -> new int[] {BlockQ4_0.D};
            case Q4_1 -> new int[] {BlockQ4_1.D, BlockQ4_1.M};
            case Q5_0 -> new int[] {BlockQ5_0.D};
            case Q2_K -> new int[] {BlockQ2_K.D, BlockQ2_K.DMIN};
            case Q3_K -> new int[] {BlockQ3_K.D};
            case Q4_K -> new int[] {BlockQ4_K.D, BlockQ4_K.DMIN};
            case Q5_K -> new int[] {BlockQ5_K.D, BlockQ5_K.DMIN};
            case Q6_K -> new int[] {BlockQ6_K.D};
            case IQ4_NL -> new int[] {BlockIQ4_NL.D};
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    /** A random finite half (any sign, any exponent but the all-ones one), subnormals and zeros included. */
    private static short finiteHalf(Random random) {
        while (true) {
            short h = (short) random.nextInt();
            if ((h & 0x7C00) != 0x7C00) return h;
        }
    }
}
