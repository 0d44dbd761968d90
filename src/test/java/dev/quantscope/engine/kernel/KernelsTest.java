package dev.quantscope.engine.kernel;

import dev.quantscope.cli.SyntheticWeights;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every kernel against the plain definition (weights dequantized by {@link Decoders}, dotted in double with
 * the activation form the kernel is meant to use), and the Vector API kernels against the scalar ones: the
 * integer part of every block bit for bit, the float sums within a tight tolerance.
 */
class KernelsTest {
    static final int ROWS = 11;
    static final int COLS = 768;

    static Stream<DType> types() {
        return Kernels.supportedTypes().stream().sorted();
    }

    static float[] activation(long seed, int n) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        v[3] = 9.5f;       // an outlier, as real activations have
        v[n - 5] = -7.25f;
        return v;
    }

    /** The activation exactly as the kernel for {@code type} sees it, dequantized. */
    static double[] activationForm(DType type, Activation x) {
        int n = x.length();
        double[] y = new double[n];
        switch (type) {
            case F32 -> { for (int i = 0; i < n; i++) y[i] = x.values()[i]; }
            case F16 -> { x.ensureF16(); for (int i = 0; i < n; i++) y[i] = x.f16()[i]; }
            case BF16 -> { x.ensureBF16(); for (int i = 0; i < n; i++) y[i] = x.bf16()[i]; }
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> {
                x.ensureQ8K();
                for (int i = 0; i < n; i++) y[i] = (double) x.qk()[i] * x.qkd()[i / 256];
            }
            default -> {
                x.ensureQ8();
                for (int i = 0; i < n; i++) y[i] = (double) x.q8()[i] * x.q8d()[i / 32];
            }
        }
        return y;
    }

    @ParameterizedTest
    @MethodSource("types")
    void scalarAndVectorMatchTheDequantizedDefinition(DType type) {
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, ROWS, COLS, 42 + type.ordinal());
            float[] w = Decoders.decodeAll(t);
            Activation x = Activation.of(activation(7, COLS));
            double[] y = activationForm(type, x);

            RowKernel scalar = ScalarKernels.create(t);
            float[] outScalar = new float[ROWS];
            scalar.matvec(x, outScalar, 0, ROWS);
            float[] outVector = new float[ROWS];
            RowKernel vector = Kernels.vectorized() ? VectorKernels.create(t) : null;
            if (vector != null) vector.matvec(x, outVector, 0, ROWS);

            for (int r = 0; r < ROWS; r++) {
                double exact = 0, magnitude = 0;
                for (int i = 0; i < COLS; i++) {
                    double p = (double) w[r * COLS + i] * y[i];
                    exact += p;
                    magnitude += Math.abs(p);
                }
                double tol = 2e-6 * magnitude + q81Allowance(type, t, x, r);
                assertEquals(exact, outScalar[r], tol, type + " scalar row " + r);
                if (vector != null) {
                    assertEquals(exact, outVector[r], tol, type + " vector row " + r);
                    // scalar vs vector: only the float summation order differs
                    assertEquals(outScalar[r], outVector[r], 2e-6 * magnitude, type + " scalar vs vector row " + r);
                }
            }
        }
    }

    /**
     * Q4_1/Q5_1 dot with Q8_1, whose {@code s = d * sum(q)} ggml stores as F16: the min term m_x * s_y is then
     * off by at most half an F16 ulp of s (relative 2^-11) from the dequantized definition.
     */
    static double q81Allowance(DType type, TensorInfo t, Activation x, int row) {
        if (type != DType.Q4_1 && type != DType.Q5_1) return 0;
        long rowBytes = type.byteSize(COLS);
        double allowance = 0;
        for (int b = 0; b < COLS / 32; b++) {
            float m = ScalarKernels.half(t.data(), row * rowBytes + (long) b * type.blockBytes() + 2);
            allowance += Math.abs(m) * Math.abs(x.q8s()[b]) * 0x1p-11;
        }
        return allowance * 1.01;
    }

    @ParameterizedTest
    @MethodSource("types")
    void vectorBlockIntegersEqualScalarExactly(DType type) {
        assumeVector();
        if (!type.isBlockQuantized()) return; // float kernels have no integer part
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, ROWS, COLS, 1000 + type.ordinal());
            // extreme activations: codes at ±127 everywhere stress the per-lane exactness bound
            float[] v = activation(99, COLS);
            for (int i = 0; i < COLS; i += 3) v[i] = (i & 1) == 0 ? 127 : -127;
            Activation x = Activation.of(v);
            RowKernel scalar = ScalarKernels.create(t), vector = VectorKernels.create(t);
            boolean anyNonZero = false;
            for (int r = 0; r < ROWS; r++) {
                int[] s = scalar.blockIntegers(x, r), vec = vector.blockIntegers(x, r);
                assertArrayEquals(s, vec, type + " row " + r);
                for (int i : s) anyNonZero |= i != 0;
            }
            assertTrue(anyNonZero, "the test data must exercise the integer dot products");
        }
    }

    /** These vector kernels do the scalar kernels' own float arithmetic on the same integers (Q4_K and Q6_K scale lane-wise, like Q4_0). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = DType.class,
            names = {"Q5_0", "Q5_1"})
    void kQuantAndQ5VectorResultsAreBitIdenticalToScalar(DType type) {
        assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, ROWS, COLS, 77 + type.ordinal());
            Activation x = Activation.of(activation(21, COLS));
            float[] s = new float[ROWS], v = new float[ROWS];
            ScalarKernels.create(t).matvec(x, s, 0, ROWS);
            VectorKernels.create(t).matvec(x, v, 0, ROWS);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(Float.floatToRawIntBits(s[r]), Float.floatToRawIntBits(v[r]), type + " row " + r);
            }
        }
    }

    @Test
    void floatKernelsHandleRowsThatAreNotAWholeNumberOfVectors() {
        for (DType type : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            try (Arena arena = Arena.ofConfined()) {
                int cols = 100; // not a multiple of 8 or 16 lanes
                TensorInfo t = SyntheticWeights.matrix(arena, type, 5, cols, 3);
                float[] w = Decoders.decodeAll(t);
                Activation x = Activation.of(activation(5, cols));
                double[] y = activationForm(type, x);
                for (WeightMatrix m : kernels(t)) {
                    float[] out = new float[5];
                    m.matvec(x, out, 0, 5);
                    for (int r = 0; r < 5; r++) {
                        double exact = 0, mag = 0;
                        for (int i = 0; i < cols; i++) {
                            exact += (double) w[r * cols + i] * y[i];
                            mag += Math.abs((double) w[r * cols + i] * y[i]);
                        }
                        assertEquals(exact, out[r], 2e-6 * mag, type + " " + m.getClass().getSimpleName());
                    }
                }
            }
        }
    }

    @Test
    void halfToFloatVectorConversionIsExactForEveryHalf() {
        assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            var seg = arena.allocate(2 * 65536L, 64);
            for (int h = 0; h < 65536; h++) seg.set(dev.quantscope.tensor.Layouts.I16, 2L * h, (short) h);
            float[] lanes = new float[VectorKernels.L];
            for (int h = 0; h < 65536; h += VectorKernels.L) {
                VectorKernels.halfToFloat(seg, 2L * h).intoArray(lanes, 0);
                for (int i = 0; i < lanes.length; i++) {
                    float expected = Float.float16ToFloat((short) (h + i));
                    if (Float.isNaN(expected)) assertTrue(Float.isNaN(lanes[i]), "half " + (h + i));
                    else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(lanes[i]),
                            "half " + Integer.toHexString(h + i));
                }
            }
        }
    }

    /**
     * A batch smaller than {@link BatchKernels#MIN_TOKENS} runs each token through the row kernel: every token gets
     * exactly its own matvec result, for a row range and a token range. (Larger batches are a matrix product, whose
     * float order differs: see the batched path's tests below.)
     */
    @ParameterizedTest
    @MethodSource("types")
    void matmulOverABatchEqualsMatvecPerToken(DType type) {
        int rows = 12, cols = 512, tokens = 5;
        assertTrue(3 < BatchKernels.MIN_TOKENS, "the range below stays on the per-token path");
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, rows, cols, 7);
            Activation[] xs = new Activation[tokens];
            for (int k = 0; k < tokens; k++) xs[k] = Activation.of(activation(100 + k, cols));
            for (WeightMatrix m : kernels(t)) {
                float[][] batched = new float[tokens][rows];
                for (float[] row : batched) java.util.Arrays.fill(row, Float.NaN);
                m.matmul(xs, 1, 4, batched, 3, 11);
                for (int k = 0; k < tokens; k++) {
                    float[] single = new float[rows];
                    m.matvec(xs[k], single, 0, rows);
                    for (int r = 0; r < rows; r++) {
                        boolean inside = k >= 1 && k < 4 && r >= 3 && r < 11;
                        if (inside) assertEquals(Float.floatToRawIntBits(single[r]), Float.floatToRawIntBits(batched[k][r]),
                                type + " token " + k + " row " + r);
                        else assertTrue(Float.isNaN(batched[k][r]), type + " wrote outside: token " + k + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void rowRangesWriteOnlyTheirRowsAndArgumentsAreChecked() {
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, DType.Q4_K, 8, 256, 1);
            Activation x = Activation.of(activation(1, 256));
            for (WeightMatrix m : kernels(t)) {
                float[] out = new float[8];
                java.util.Arrays.fill(out, Float.NaN);
                m.matvec(x, out, 2, 5);
                for (int r = 0; r < 8; r++) assertEquals(r >= 2 && r < 5, !Float.isNaN(out[r]), "row " + r);
                assertThrows(IndexOutOfBoundsException.class, () -> m.matvec(x, out, 0, 9));
                assertThrows(IllegalArgumentException.class, () -> m.matvec(Activation.of(new float[512]), out, 0, 8));
            }
        }
    }

    @Test
    void rowLengthMustBeWholeBlocks() {
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, DType.Q8_0, 4, 64, 1);
            TensorInfo odd = new TensorInfo("odd", dev.quantscope.tensor.Shape.ggml(32, 8), DType.Q4_K,
                    t.byteSize(), t.data().asSlice(0, t.byteSize()));
            assertThrows(IllegalArgumentException.class, () -> WeightMatrix.of(odd));
        }
    }

    @Test
    void quantizedFormIsComputedOncePerChangeAndFollowsChanges() {
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, DType.Q8_0, 4, 64, 1);
            WeightMatrix m = WeightMatrix.of(t);
            Activation x = new Activation(64);
            float[] out1 = new float[4], out2 = new float[4];
            System.arraycopy(activation(1, 64), 0, x.values(), 0, 64);
            x.changed(64);
            m.matvec(x, out1, 0, 4);
            byte[] codes = x.q8().clone();
            // same values, new version: the form is recomputed and equal
            x.changed(64);
            m.matvec(x, out2, 0, 4);
            assertArrayEquals(out1, out2);
            assertArrayEquals(codes, x.q8());
            // new values: the form follows
            for (int i = 0; i < 64; i++) x.values()[i] = -x.values()[i];
            x.changed(64);
            m.matvec(x, out2, 0, 4);
            for (int r = 0; r < 4; r++) assertEquals(-out1[r], out2[r], 1e-5f * Math.abs(out1[r]) + 1e-6f);
        }
    }

    // ---------------------------------------------------------------- the batched path's matrix product
    // (BatchKernels: its micro-kernel against a scalar reference, bit for bit, as each output lane is one fused
    // multiply-add chain in column order; its row decoders against ggml's dequantizers, bit for bit; whole products
    // over several row tiles, column chunks and token blocks against the dequantized definition and the per-token
    // matvec, within rounding. Here rather than in a class of their own so that the 256-bit run covers them too.)

    @Test
    void microKernelMatchesItsScalarReferenceBitForBit() {
        assumeVector();
        Random rnd = new Random(5);
        int tokens = BatchKernels.TOKENS;
        for (int kc : new int[] {1, 7, 32, BatchKernels.CHUNK}) {
            float[] w = new float[3 + 8 * BatchKernels.CHUNK];
            float[] xt = new float[11 + kc * tokens];
            int ps = tokens + 5;
            float[] p = new float[2 + 8 * ps];
            for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < xt.length; i++) xt[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < p.length; i++) p[i] = (float) rnd.nextGaussian();
            float[] expected = p.clone();
            BatchKernels.dotTileScalar(w, 3, kc, xt, 11, expected, 2, ps);
            BatchKernels.dotTile(w, 3, kc, xt, 11, p, 2, ps);
            for (int i = 0; i < p.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(p[i]), "kc " + kc + " element " + i);
            }
            // and, from zero, it is the plain sum it claims to be (to float rounding)
            float[] fresh = new float[p.length];
            BatchKernels.dotTile(w, 3, kc, xt, 11, fresh, 2, ps);
            for (int r = 0; r < 8; r++) {
                for (int j = 0; j < tokens; j++) {
                    double sum = 0, magnitude = 0;
                    for (int k = 0; k < kc; k++) {
                        double prod = (double) w[3 + r * BatchKernels.CHUNK + k] * xt[11 + k * tokens + j];
                        sum += prod;
                        magnitude += Math.abs(prod);
                    }
                    assertEquals(sum, fresh[2 + r * ps + j], 1e-6 * magnitude, "kc " + kc + " row " + r + " token " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void rowDecodersGiveGgmlsDequantizedWeights(DType type) {
        assumeVector();
        int rows = 3;
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, rows, COLS, 3 + type.ordinal());
            float[] expected = Decoders.decodeAll(t);
            RowKernel k = VectorKernels.create(t);
            BatchKernels.RowDecoder dec = BatchKernels.create(k);
            int block = 256; // chunks are whole runs of 256 columns, as in the product
            for (int r = 0; r < rows; r++) {
                for (int k0 = 0; k0 < COLS; k0 += block) {
                    int n = Math.min(2 * block, COLS - k0);
                    float[] w = new float[n + 9];
                    dec.decode(t.data(), r * k.rowBytes, k0, n, w, 9);
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[r * COLS + k0 + i]), Float.floatToRawIntBits(w[9 + i]),
                                type + " row " + r + " column " + (k0 + i));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("types")
    void batchedProductMatchesTheDefinitionAndMatvecPerToken(DType type) {
        assumeVector();
        // three row tiles (16, 16, 2), three column chunks of 256, two token blocks (the second one padded)
        int rows = 40, rowStart = 3, rowEnd = 37, tokens = 45, t0 = 2, t1 = 2 + BatchKernels.TOKENS + 9;
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, type, rows, COLS, 17 + type.ordinal());
            float[] w = Decoders.decodeAll(t);
            Activation[] xs = new Activation[tokens];
            for (int j = 0; j < tokens; j++) xs[j] = Activation.of(activation(300 + j, COLS));
            WeightMatrix m = VectorKernels.create(t);
            float[][] batched = new float[tokens][rows];
            for (float[] row : batched) java.util.Arrays.fill(row, Float.NaN);
            m.matmul(xs, t0, t1, batched, rowStart, rowEnd);
            // twice: the second product reuses the thread's packed activations and must give the same bits
            float[][] again = new float[tokens][rows];
            m.matmul(xs, t0, t1, again, rowStart, rowEnd);
            double worst = 0;
            for (int j = 0; j < tokens; j++) {
                float[] single = new float[rows];
                m.matvec(xs[j], single, 0, rows);
                double[] y = activationForm(type, xs[j]);
                for (int r = 0; r < rows; r++) {
                    boolean inside = j >= t0 && j < t1 && r >= rowStart && r < rowEnd;
                    String at = type + " token " + j + " row " + r;
                    if (!inside) {
                        assertTrue(Float.isNaN(batched[j][r]), type + " wrote outside: " + at);
                        continue;
                    }
                    assertEquals(Float.floatToRawIntBits(batched[j][r]), Float.floatToRawIntBits(again[j][r]), at);
                    double exact = 0, magnitude = 0;
                    for (int i = 0; i < COLS; i++) {
                        double p = (double) w[r * COLS + i] * y[i];
                        exact += p;
                        magnitude += Math.abs(p);
                    }
                    double allowance = q81Allowance(type, t, xs[j], r);
                    assertEquals(exact, batched[j][r], 2e-6 * magnitude + allowance, "definition, " + at);
                    // Q4_1/Q5_1 too: the product takes the F16-rounded s of Q8_1 as the matvec does (BatchKernels.ACT_Q8_1)
                    assertEquals(single[r], batched[j][r], 3e-6 * magnitude, "matvec, " + at);
                    worst = Math.max(worst, Math.abs(single[r] - batched[j][r]) / magnitude);
                }
            }
            System.out.printf("%s: batched vs matvec, worst |difference| / sum|products| = %.2e%n", type, worst);
        }
    }

    @Test
    void aNewVersionOfTheActivationsIsRepacked() {
        assumeVector();
        try (Arena arena = Arena.ofConfined()) {
            TensorInfo t = SyntheticWeights.matrix(arena, DType.Q8_0, 16, COLS, 9);
            int tokens = BatchKernels.MIN_TOKENS + 3;
            Activation[] xs = new Activation[tokens];
            for (int j = 0; j < tokens; j++) xs[j] = Activation.of(activation(40 + j, COLS));
            WeightMatrix m = VectorKernels.create(t);
            float[][] first = new float[tokens][16], second = new float[tokens][16];
            m.matmul(xs, 0, tokens, first, 0, 16);
            System.arraycopy(activation(99, COLS), 0, xs[4].values(), 0, COLS);
            xs[4].changed(COLS);
            m.matmul(xs, 0, tokens, second, 0, 16);
            float[] single = new float[16];
            m.matvec(xs[4], single, 0, 16);
            for (int r = 0; r < 16; r++) {
                assertEquals(single[r], second[4][r], 1e-3f * (1 + Math.abs(single[r])), "row " + r);
                assertEquals(Float.floatToRawIntBits(first[3][r]), Float.floatToRawIntBits(second[3][r]), "row " + r);
            }
            assertTrue(!java.util.Arrays.equals(first[4], second[4]), "token 4's new values were used");
        }
    }

    static WeightMatrix[] kernels(TensorInfo t) {
        return Kernels.vectorized()
                ? new WeightMatrix[] {Kernels.scalar(t), Kernels.vector(t)}
                : new WeightMatrix[] {Kernels.scalar(t)};
    }

    static void assumeVector() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Kernels.vectorized(), "Vector API kernels not available");
    }
}
