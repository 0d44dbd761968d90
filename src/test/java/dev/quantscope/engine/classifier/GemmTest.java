package dev.quantscope.engine.classifier;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GemmTest {

    /** Every path of the vector kernel (6×4, 4×4, 4×3 and 4×2 blocks, k slices, row and vector edges, scalar tail) does the scalar reference's fma sequence. */
    @Test
    void vectorKernelMatchesTheScalarReferenceBitForBit() {
        SplittableRandom r = new SplittableRandom(7);
        int[][] sizes = {{1, 1, 1}, {4, 48, 3}, {5, 50, 17}, {9, 100, 33}, {64, 256, 784}, {3, 10, 128}, {7, 16, 5},
                {6, 64, 7}, {5, 200, 9}, {7, 32, 5}, {9, 130, 4}, {4, 112, 3}, {5, 47, 2},
                {32, 70, 9}, {6, 64, 130}, {14, 64, 3}, {11, 128, 5}, {2, 64, 3}};
        for (int[] s : sizes) {
            for (boolean transposedA : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    int m = s[0], n = s[1], k = s[2];
                    float[] a = random(r, m * k + 3), b = random(r, k * n + 2), c0 = random(r, m * n + 1);
                    float[] c1 = c0.clone();
                    int aRow = transposedA ? 1 : k, aCol = transposedA ? m : 1;
                    Gemm.multiplyScalar(m, n, k, a, 3, aRow, aCol, b, 2, n, c0, 1, n, accumulate);
                    Gemm.multiply(m, n, k, a, 3, aRow, aCol, b, 2, n, c1, 1, n, accumulate);
                    assertArrayEquals(c0, c1, m + "×" + n + "×" + k);
                }
            }
        }
    }

    @Test
    void scalarReferenceIsTheMatrixProduct() {
        float[] a = {1, 2, 3, 4, 5, 6};           // 2×3
        float[] b = {1, 0, 0, 1, 1, 1};           // 3×2
        float[] c = new float[4];
        Gemm.multiplyScalar(2, 2, 3, a, 0, 3, 1, b, 0, 2, c, 0, 2, false);
        assertArrayEquals(new float[] {4, 5, 10, 11}, c);
        Gemm.multiplyScalar(2, 2, 3, a, 0, 3, 1, b, 0, 2, c, 0, 2, true);
        assertEquals(22f, c[3]);
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
