package dev.quantscope.train.llama;

import dev.quantscope.engine.kernel.RowParallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static dev.quantscope.train.llama.GradientCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Vector API kernel against the scalar reference, and the parallel split against one thread, at awkward sizes. */
class MatmulKernelTest {

    @ParameterizedTest
    @CsvSource({"1, 1, 1", "3, 5, 7", "9, 17, 64", "13, 172, 64", "7, 64, 172", "33, 40, 100"})
    void vectorMatchesScalar(int tokens, int rows, int cols) {
        Random rnd = new Random(tokens * 1000 + rows);
        float[] x = random(rnd, tokens * cols, 1f), w = random(rnd, rows * cols, 1f), dy = random(rnd, tokens * rows, 1f);
        MatmulKernel scalar = new ScalarMatmul(), vector = new VectorMatmul();
        float[] y1 = new float[tokens * rows], y2 = new float[tokens * rows];
        scalar.forward(x, w, y1, tokens, rows, cols, 0, rows);
        vector.forward(x, w, y2, tokens, rows, cols, 0, rows);
        assertClose(y1, y2, cols, "forward");
        float[] dx1 = random(rnd, tokens * cols, 1f), dx2 = dx1.clone();
        scalar.backwardInput(dy, w, dx1, rows, cols, 0, tokens);
        vector.backwardInput(dy, w, dx2, rows, cols, 0, tokens);
        assertClose(dx1, dx2, rows, "input gradient");
        float[] dw1 = random(rnd, rows * cols, 1f), dw2 = dw1.clone();
        scalar.backwardWeight(dy, x, dw1, tokens, rows, cols, 0, rows);
        vector.backwardWeight(dy, x, dw2, tokens, rows, cols, 0, rows);
        assertClose(dw1, dw2, tokens, "weight gradient");
    }

    @ParameterizedTest
    @CsvSource({"64, 512, 64", "128, 172, 64"})
    void parallelSplitIsBitForBitTheSingleThreadedResult(int tokens, int rows, int cols) {
        Random rnd = new Random(5);
        float[] x = random(rnd, tokens * cols, 1f), w = random(rnd, rows * cols, 1f), dy = random(rnd, tokens * rows, 1f);
        try (RowParallel one = new RowParallel(1); RowParallel two = new RowParallel(2)) {
            Matmuls m1 = new Matmuls(new VectorMatmul(), one), m2 = new Matmuls(new VectorMatmul(), two);
            float[] y1 = new float[tokens * rows], y2 = new float[tokens * rows];
            m1.forward(x, w, y1, tokens, rows, cols);
            m2.forward(x, w, y2, tokens, rows, cols);
            assertArrayEquals(y1, y2);
            float[] dx1 = new float[tokens * cols], dx2 = new float[tokens * cols];
            m1.backwardInput(dy, w, dx1, tokens, rows, cols);
            m2.backwardInput(dy, w, dx2, tokens, rows, cols);
            assertArrayEquals(dx1, dx2);
            float[] dw1 = new float[rows * cols], dw2 = new float[rows * cols];
            m1.backwardWeight(dy, x, dw1, tokens, rows, cols);
            m2.backwardWeight(dy, x, dw2, tokens, rows, cols);
            assertArrayEquals(dw1, dw2);
        }
    }

    /** Sums of {@code terms} products of values in ±1 (plus an initial value) differ only by rounding. */
    private static void assertClose(float[] expected, float[] actual, int terms, String what) {
        float tolerance = 1e-6f * (terms + 1) * 4;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " at " + i);
        }
    }
}
