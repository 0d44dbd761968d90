package dev.quantscope.engine.kernel;

import dev.quantscope.cli.SyntheticWeights;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The interleaved kernels ({@link PackedKernel}) against the scalar reference: the same integers (checked where they
 * are largest, at the 16-bit lanes' worst case), the float sums within the tolerance that covers a different order
 * of additions, and row ranges that cut through a group.
 */
class PackedKernelsTest {
    static final int ROWS = 37; // not a whole number of groups on 8 or 16 lanes
    static final int COLS = 512;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K", "Q2_K", "Q3_K", "Q5_K", "Q4_1", "Q5_0", "Q5_1"})
    void packedMatvecEqualsTheScalarKernel(DType type) {
        KernelsTest.assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, ROWS, COLS, 300 + type.ordinal());
            for (float[] v : new float[][] {KernelsTest.activation(5, COLS), extremes(COLS)}) {
                Activation x = Activation.of(v);
                assertClose(t, x, ScalarKernels.create(t), Kernels.packed(t, arena));
            }
        }
    }

    /**
     * Every code at the end of its range that gives the largest products, every activation code at ±127: each
     * 16-bit lane reaches its largest sum (Q4: 16 · 15 · 127 = 30,480; Q6_K: 8 · 32 · 127 = 32,512), which one more
     * product or a wrong bound would wrap.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K", "Q2_K", "Q3_K", "Q5_K", "Q4_1", "Q5_0", "Q5_1"})
    void worstCaseLaneSumsStayExact(DType type) {
        KernelsTest.assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = worstCase(arena, type, ROWS, COLS);
            float sign = type == DType.Q6_K ? -1 : 1; // Q6_K's largest products: code -32 times -127
            float[] v = new float[COLS];
            Arrays.fill(v, sign);
            Activation x = Activation.of(v);
            WeightMatrix packed = Kernels.packed(t, arena);
            float[] s = new float[ROWS], p = new float[ROWS];
            ScalarKernels.create(t).matvec(x, s, 0, ROWS);
            packed.matvec(x, p, 0, ROWS);
            // 512 columns of 15 · 127 (Q4_0: (15 - 8) · 127; Q4_K: times the scale 63); all exact in float
            float expected = switch (type) {
                case Q4_0 -> COLS * 7 * 127;
                case Q4_K -> COLS * 15 * 127 * 63;
                case Q6_K -> COLS * 32 * 127 * 127;
                // Q8_K maps the largest magnitude to code -127 whatever its sign, so with sign 1 every code is -127:
                // Q2_K 3 · 15 - 15 per column (lanes 8 · 3 · -127 = -3,048); Q3_K 3 · -32 (lanes hold code + 4:
                // 8 · 7 · -127 = -7,112); Q5_K 0 · 63 - 63 (code - 16 = -16 in the lanes' s - 16 · sn: 16 · -16 · -127 = 32,512)
                case Q2_K -> COLS * 30 * 127;
                case Q3_K -> COLS * -96 * 127;
                case Q5_K -> COLS * -63 * 127;
                // Q8_0 keeps the sign: codes 127. Q4_1: 15 (lanes 30,480); Q5_0 and Q5_1: code 0, taken as -16 (s - 16 · sn:
                // 16 · -16 · 127 = -32,512), Q5_1's m = 1 making each column 1
                case Q4_1 -> COLS * 15 * 127;
                case Q5_0 -> COLS * -16 * 127;
                case Q5_1 -> COLS * 127;
                default -> throw new AssertionError(type);
            };
            for (int r = 0; r < ROWS; r++) {
                // the data is what it claims to be (Q8_0's scale 1/127 is rounded to F16, hence the loose bound)
                assertEquals(expected / 127, s[r], Math.abs(expected / 127) * 1e-3, "scalar row " + r);
                assertEquals(s[r], p[r], Math.abs(expected) * 1e-6, type + " packed row " + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K", "Q2_K", "Q3_K", "Q5_K", "Q4_1", "Q5_0", "Q5_1"})
    void rowRangesThroughAGroupWriteOnlyTheirRows(DType type) {
        KernelsTest.assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, ROWS, COLS, 9);
            Activation x = Activation.of(KernelsTest.activation(3, COLS));
            WeightMatrix packed = Kernels.packed(t, arena);
            float[] all = new float[ROWS];
            packed.matvec(x, all, 0, ROWS);
            for (int[] range : new int[][] {{5, 30}, {0, 3}, {PackedKernel.G - 1, PackedKernel.G + 1}, {ROWS - 2, ROWS}}) {
                float[] out = new float[ROWS + 3]; // longer than the matrix: rows past it stay untouched
                Arrays.fill(out, Float.NaN);
                packed.matvec(x, out, range[0], range[1]);
                for (int r = 0; r < out.length; r++) {
                    boolean inside = r >= range[0] && r < range[1];
                    if (inside) assertEquals(Float.floatToRawIntBits(all[r]), Float.floatToRawIntBits(out[r]), "row " + r);
                    else assertTrue(Float.isNaN(out[r]), "wrote row " + r + " outside " + Arrays.toString(range));
                }
            }
            assertThrows(IndexOutOfBoundsException.class, () -> packed.matvec(x, new float[ROWS], 0, ROWS + 1));
            assertThrows(IllegalArgumentException.class, () -> packed.matvec(Activation.of(new float[256]), all, 0, ROWS));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K", "Q2_K", "Q3_K", "Q5_K", "Q4_1", "Q5_0", "Q5_1"})
    void oneTokenMatmulIsTheMatvecAndBatchesAgreeWithIt(DType type) {
        KernelsTest.assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, ROWS, COLS, 11);
            WeightMatrix packed = Kernels.packed(t, arena);
            Activation[] xs = new Activation[3];
            for (int k = 0; k < xs.length; k++) xs[k] = Activation.of(KernelsTest.activation(40 + k, COLS));
            float[][] outs = new float[3][ROWS];
            packed.matmul(xs, 1, 2, outs, 0, ROWS);
            float[] single = new float[ROWS];
            packed.matvec(xs[1], single, 0, ROWS);
            assertArrayEquals(single, outs[1]);
            packed.matmul(xs, 0, 3, outs, 0, ROWS);
            for (int k = 0; k < 3; k++) {
                packed.matvec(xs[k], single, 0, ROWS);
                for (int r = 0; r < ROWS; r++) assertEquals(single[r], outs[k][r], 1e-4f * (1 + Math.abs(single[r])), "token " + k + " row " + r);
            }
        }
    }

    private static void assertClose(TensorInfo t, Activation x, WeightMatrix scalar, WeightMatrix packed) {
        float[] s = new float[ROWS], p = new float[ROWS];
        scalar.matvec(x, s, 0, ROWS);
        packed.matvec(x, p, 0, ROWS);
        double[] y = KernelsTest.activationForm(t.dtype(), x);
        float[] w = dev.quantscope.tensor.Decoders.decodeAll(t);
        for (int r = 0; r < ROWS; r++) {
            double magnitude = 0;
            for (int i = 0; i < COLS; i++) magnitude += Math.abs((double) w[r * COLS + i] * y[i]);
            assertEquals(s[r], p[r], 2e-6 * magnitude, t.dtype() + " row " + r);
        }
    }

    /** Activations whose codes are ±127 almost everywhere, with some small values between. */
    private static float[] extremes(int n) {
        float[] v = KernelsTest.activation(17, n);
        for (int i = 0; i < n; i++) if (i % 5 != 0) v[i] = (i & 2) == 0 ? 100 : -100;
        return v;
    }

    /** A matrix whose every block gives the largest 16-bit lane sums (see {@link #worstCaseLaneSumsStayExact}). */
    private static TensorInfo worstCase(Arena arena, DType type, int rows, int cols) {
        long rowBytes = type.byteSize(cols);
        MemorySegment seg = arena.allocate(rowBytes * rows, 64);
        short one = Float.floatToFloat16(1f);
        int blocks = cols / type.blockElements();
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < blocks; b++) {
                long at = r * rowBytes + (long) b * type.blockBytes();
                switch (type) {
                    case Q4_0 -> { // d = 1, codes 15
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, one);
                        for (int j = 0; j < 16; j++) seg.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) 0xFF);
                    }
                    case Q4_K -> { // d = 1, dmin = 0, scales and mins 63, codes 15
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, one);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2, (short) 0);
                        for (int j = 0; j < 12; j++) seg.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) 0xFF);
                        for (int j = 0; j < 128; j++) seg.set(ValueLayout.JAVA_BYTE, at + 16 + j, (byte) 0xFF);
                    }
                    case Q6_K -> { // codes 0 (that is -32), scales 127, d = 1
                        for (int j = 0; j < 192; j++) seg.set(ValueLayout.JAVA_BYTE, at + j, (byte) 0);
                        for (int j = 0; j < 16; j++) seg.set(ValueLayout.JAVA_BYTE, at + 192 + j, (byte) 127);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 208, one);
                    }
                    case Q2_K -> { // scales and mins 15, codes 3, d = dmin = 1
                        for (int j = 0; j < 80; j++) seg.set(ValueLayout.JAVA_BYTE, at + j, (byte) 0xFF);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 80, one);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 82, one);
                    }
                    case Q3_K -> { // hmask bits set and low bits 3 (code 3), scales 0 - 32, d = 1
                        for (int j = 0; j < 96; j++) seg.set(ValueLayout.JAVA_BYTE, at + j, (byte) 0xFF);
                        for (int j = 0; j < 12; j++) seg.set(ValueLayout.JAVA_BYTE, at + 96 + j, (byte) 0);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 108, one);
                    }
                    case Q5_K -> { // d = dmin = 1, scales and mins 63, codes 0
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, one);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2, one);
                        for (int j = 0; j < 12; j++) seg.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) 0xFF);
                        for (int j = 0; j < 160; j++) seg.set(ValueLayout.JAVA_BYTE, at + 16 + j, (byte) 0);
                    }
                    case Q4_1 -> { // d = 1, m = 0, codes 15
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, one);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2, (short) 0);
                        for (int j = 0; j < 16; j++) seg.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) 0xFF);
                    }
                    case Q5_0 -> { // d = 1, codes 0 (that is -16)
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, one);
                        for (int j = 0; j < 20; j++) seg.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) 0);
                    }
                    case Q5_1 -> { // d = m = 1, codes 0
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, one);
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 2, one);
                        for (int j = 0; j < 20; j++) seg.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) 0);
                    }
                    default -> throw new AssertionError(type);
                }
            }
        }
        return new TensorInfo("worst", Shape.ggml(cols, rows), type, rowBytes * rows, seg);
    }
}
