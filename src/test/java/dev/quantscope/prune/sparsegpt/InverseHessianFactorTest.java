package dev.quantscope.prune.sparsegpt;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InverseHessianFactorTest {

    @Test
    void factorTimesItsTransposeIsTheInverseFromADirectSolve() {
        int n = 7;
        double[] h = randomSpd(n, new Random(3));
        double[] u = InverseHessianFactor.upperFactorOfInverse(h, n);
        for (int i = 0; i < n; i++) {
            assertTrue(u[i * n + i] > 0, "positive diagonal");
            for (int j = 0; j < i; j++) assertEquals(0.0, u[i * n + j], "upper triangular at " + i + "," + j);
        }
        double[] inverse = gaussJordanInverse(h, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double utu = 0;
                for (int k = 0; k < n; k++) utu += u[k * n + i] * u[k * n + j];
                assertEquals(inverse[i * n + j], utu, 1e-12 * Math.abs(inverse[i * n + i]) + 1e-12, i + "," + j);
            }
        }
    }

    @Test
    void upperFactorReproducesTheMatrix() {
        int n = 5;
        double[] h = randomSpd(n, new Random(11));
        double[] r = InverseHessianFactor.upperFactor(h, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double rrt = 0;
                for (int k = 0; k < n; k++) rrt += r[i * n + k] * r[j * n + k];
                assertEquals(h[i * n + j], rrt, 1e-12 * h[i * n + i], i + "," + j);
            }
        }
    }

    @Test
    void refusesAMatrixThatIsNotPositiveDefinite() {
        double[] h = {1, 2, 2, 1};
        assertThrows(IllegalArgumentException.class, () -> InverseHessianFactor.upperFactorOfInverse(h, 2));
    }

    /** A Aᵀ + I for a random A: symmetric positive definite, with off-diagonal structure. */
    static double[] randomSpd(int n, Random rnd) {
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian();
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = i == j ? 1 : 0;
                for (int k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
                h[i * n + j] = s;
            }
        }
        return h;
    }

    /** The textbook inverse, with partial pivoting: independent of any Cholesky. */
    private static double[] gaussJordanInverse(double[] m, int n) {
        double[] a = m.clone();
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) inv[i * n + i] = 1;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
            swapRows(a, n, col, pivot);
            swapRows(inv, n, col, pivot);
            double p = a[col * n + col];
            for (int k = 0; k < n; k++) {
                a[col * n + k] /= p;
                inv[col * n + k] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r == col) continue;
                double f = a[r * n + col];
                for (int k = 0; k < n; k++) {
                    a[r * n + k] -= f * a[col * n + k];
                    inv[r * n + k] -= f * inv[col * n + k];
                }
            }
        }
        return inv;
    }

    private static void swapRows(double[] a, int n, int i, int j) {
        for (int k = 0; k < n; k++) {
            double t = a[i * n + k];
            a[i * n + k] = a[j * n + k];
            a[j * n + k] = t;
        }
    }
}
