package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The API around the per-type code: sizes, offsets, argument checks, and independence of blocks. */
class GgmlQuantizerContractTest {

    private static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 0.05);
        return x;
    }

    @Test
    void supportsExactlyTheThirteenTypes() {
        assertEquals(13, GgmlQuantizer.supportedTypes().size());
        for (DType t : DType.values()) {
            if (GgmlQuantizer.supports(t)) {
                assertEquals(t, GgmlQuantizer.create(t).type());
            } else {
                assertThrows(IllegalArgumentException.class, () -> GgmlQuantizer.create(t), t.name());
            }
        }
    }

    @Test
    void bitsPerWeightComeFromTheDtypeTable() {
        assertEquals(4.5, GgmlQuantizer.create(DType.Q4_K).bitsPerWeight());
        assertEquals(6.5625, GgmlQuantizer.create(DType.Q6_K).bitsPerWeight());
        assertEquals(1.6875, GgmlQuantizer.create(DType.TQ1_0).bitsPerWeight());
        assertEquals(2176, GgmlQuantizer.create(DType.Q8_0).byteSize(2048));

        // a Q4_K_M-like mix: 3 tensors of 256x256 in Q4_K, one in Q6_K, a norm of 256 in F32
        QuantizedSize total = QuantizedSize.NONE;
        for (int i = 0; i < 3; i++) total = total.plus(QuantizedSize.of(DType.Q4_K, 65536));
        total = total.plus(QuantizedSize.of(DType.Q6_K, 65536)).plus(QuantizedSize.of(DType.F32, 256));
        assertEquals(4 * 65536 + 256, total.elements());
        assertEquals(3 * 36864 + 53760 + 1024, total.bytes());
        assertEquals(total.bytes() * 8.0 / total.elements(), total.bitsPerWeight(), 1e-12);
        assertEquals(0, QuantizedSize.NONE.bitsPerWeight());
        assertThrows(IllegalArgumentException.class, () -> QuantizedSize.of(DType.Q4_K, 100));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K", "IQ4_NL", "TQ1_0", "TQ2_0"})
    void blocksAreIndependentAndOffsetsAreHonoured(DType type) {
        GgmlQuantizer q = GgmlQuantizer.create(type);
        int n = 4 * 256 + (type.blockElements() == 32 ? 3 * 32 : 0);
        float[] x = gaussian(n + 5, 7);
        int bytes = (int) q.byteSize(n);

        byte[] whole = new byte[bytes];
        q.quantize(x, 5, n, whole, 0);

        // the same floats in block-aligned pieces, one of them through a segment, with a fresh instance
        GgmlQuantizer other = GgmlQuantizer.create(type);
        byte[] pieces = new byte[bytes + 11];
        int firstPart = type.blockElements() * 2;
        other.quantize(x, 5, firstPart, pieces, 11);
        MemorySegment seg = MemorySegment.ofArray(pieces);
        other.quantize(x, 5 + firstPart, n - firstPart, seg, 11 + q.byteSize(firstPart));
        assertArrayEquals(whole, Arrays.copyOfRange(pieces, 11, pieces.length));

        // more blocks than the segment path stages at once
        float[] big = gaussian(type.blockElements() * 200, 9);
        byte[] viaArray = new byte[(int) q.byteSize(big.length)];
        q.quantize(big, 0, big.length, viaArray, 0);
        MemorySegment bigSeg = MemorySegment.ofArray(new byte[viaArray.length]);
        q.quantize(big, 0, big.length, bigSeg, 0);
        assertArrayEquals(viaArray, bigSeg.toArray(ValueLayout.JAVA_BYTE));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q8_0", "Q4_K", "IQ4_NL", "TQ2_0"})
    void rejectsPartialBlocksAndShortBuffers(DType type) {
        GgmlQuantizer q = GgmlQuantizer.create(type);
        int be = type.blockElements();
        float[] x = new float[be * 2];
        assertThrows(IllegalArgumentException.class, () -> q.quantize(x, 0, be + 1, new byte[1024], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> q.quantize(x, 1, be * 2, new byte[1024], 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> q.quantize(x, 0, be, new byte[type.blockBytes() - 1], 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> q.quantize(x, 0, be, MemorySegment.ofArray(new byte[type.blockBytes()]), 1));
    }

    @Test
    void zeroBlocksGiveGgmlsZeroEncodings() {
        // Q4_0: d = 0/-8 is -0.0 (half 0x8000), every level the zero point 8
        byte[] q40 = quantizeZeros(DType.Q4_0);
        assertEquals((byte) 0x00, q40[0]);
        assertEquals((byte) 0x80, q40[1]);
        for (int i = 2; i < 18; i++) assertEquals((byte) 0x88, q40[i]);
        // Q8_0, Q6_K, TQ2_0: all bytes zero (Q6_K writes a zeroed block; the others have d = +0 and level 0 / trit 1)
        assertTrue(allZero(quantizeZeros(DType.Q8_0)));
        assertTrue(allZero(quantizeZeros(DType.Q6_K)));
        byte[] tq2 = quantizeZeros(DType.TQ2_0);
        for (int i = 0; i < 64; i++) assertEquals((byte) 0x55, tq2[i], "trit 1 in every 2-bit field");
        // IQ4_NL: scale 0, and level 8 (value 1) is the one nearest to 0
        byte[] iq4 = quantizeZeros(DType.IQ4_NL);
        assertEquals(0, iq4[0] | iq4[1]);
        for (int i = 2; i < 18; i++) assertEquals((byte) 0x88, iq4[i]);
    }

    @Test
    void iq4nlLevelSearchPicksTheNearestValue() {
        assertEquals(0, IQ4_NLQuantizer.bestIndex(-1000f));
        assertEquals(15, IQ4_NLQuantizer.bestIndex(1000f));
        assertEquals(8, IQ4_NLQuantizer.bestIndex(0f));
        // midpoint of -127 and -104 is -115.5: ties go to the upper value, as in ggml
        assertEquals(1, IQ4_NLQuantizer.bestIndex(-115.5f));
        assertEquals(0, IQ4_NLQuantizer.bestIndex(-115.50001f));
        assertEquals(0, IQ4_NLQuantizer.bestIndex(Float.NaN));
        assertEquals(15, IQ4_NLQuantizer.bestIndex(Float.POSITIVE_INFINITY));
        assertEquals(0, IQ4_NLQuantizer.bestIndex(Float.NEGATIVE_INFINITY));
        // ggml's branch-free binary search over doubled midpoints, written out as it is in ggml-quants.c
        Random r = new Random(3);
        for (int k = 0; k < 200_000; k++) {
            float v = switch (k % 4) {
                case 0 -> (float) (r.nextGaussian() * 80);
                case 1 -> (r.nextInt(500) - 250) * 0.5f; // exact midpoints and integers
                case 2 -> Math.nextUp((r.nextInt(500) - 250) * 0.5f);
                default -> Math.nextDown((r.nextInt(500) - 250) * 0.5f);
            };
            assertEquals(binarySearchLikeGgml(v), IQ4_NLQuantizer.bestIndex(v), "value " + v);
        }
        for (float v = -130; v <= 120; v += 0.37f) {
            int best = 0;
            for (int i = 1; i < 16; i++) {
                if (Math.abs(v - IQ4_NLQuantizer.VALUES[i]) < Math.abs(v - IQ4_NLQuantizer.VALUES[best])) best = i;
            }
            assertEquals(best, IQ4_NLQuantizer.bestIndex(v), "value " + v);
        }
    }

    private static int binarySearchLikeGgml(float x) {
        float x2 = x + x;
        int idx = 0;
        for (int step = 8; step > 0; step >>= 1) {
            int j = idx + step;
            idx = x2 >= (float) (IQ4_NLQuantizer.VALUES[j - 1] + IQ4_NLQuantizer.VALUES[j]) ? j : idx;
        }
        return idx;
    }

    private static byte[] quantizeZeros(DType type) {
        GgmlQuantizer q = GgmlQuantizer.create(type);
        float[] zeros = new float[256];
        byte[] out = new byte[(int) q.byteSize(256)];
        Arrays.fill(out, (byte) 0x5A); // so that bytes the quantizer forgets to write show up
        q.quantize(zeros, 0, 256, out, 0);
        return out;
    }

    private static boolean allZero(byte[] b) {
        for (byte v : b) if (v != 0) return false;
        return true;
    }
}
