package dev.quantscope.engine.kernel;

import dev.quantscope.cli.SyntheticWeights;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;

import static dev.quantscope.engine.kernel.KernelsTest.COLS;
import static dev.quantscope.engine.kernel.KernelsTest.activation;
import static dev.quantscope.engine.kernel.KernelsTest.activationForm;
import static dev.quantscope.engine.kernel.KernelsTest.assumeVector;
import static dev.quantscope.engine.kernel.KernelsTest.q81Allowance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batched path's matrix product ({@link BatchKernels}): its micro-kernel against a scalar reference (bit for
 * bit: each output lane is one fused multiply-add chain in column order), its row decoders against ggml's
 * dequantizers (bit for bit), and whole products over several row tiles, column chunks and token blocks against
 * the dequantized definition and against the per-token matvec (within rounding).
 */
class BatchProductTest {
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
    @MethodSource("dev.quantscope.engine.kernel.KernelsTest#types")
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
    @MethodSource("dev.quantscope.engine.kernel.KernelsTest#types")
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
            for (float[] row : batched) Arrays.fill(row, Float.NaN);
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
                    assertEquals(single[r], batched[j][r], 3e-6 * magnitude + allowance, "matvec, " + at);
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
            assertTrue(!Arrays.equals(first[4], second[4]), "token 4's new values were used");
        }
    }
}
