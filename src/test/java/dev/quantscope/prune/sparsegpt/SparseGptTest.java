package dev.quantscope.prune.sparsegpt;

import dev.quantscope.prune.SparsityPattern;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparseGptTest {
    private static final SparsityPattern HALF = new SparsityPattern.Unstructured(0.5);
    private static final SparsityPattern TWO_OF_FOUR = new SparsityPattern.NOfM(2, 4);

    @Test
    void withAnIdentityHessianItIsMagnitudePruningOfEachBlock() {
        int rows = 7, cols = 300; // two full blocks of 128 and a partial one of 44
        for (SparsityPattern p : new SparsityPattern[] {HALF, new SparsityPattern.Unstructured(0.3), TWO_OF_FOUR}) {
            float[] w = randomWeights(rows, cols, new Random(5));
            float[] expected = magnitudePruned(w, rows, cols, p, 128);
            SparseGpt.withThreads(1).prune(w, rows, cols, identity(cols), p);
            assertArrayEquals(expected, w, p.label() + ": no correlation between inputs, so nothing to compensate");
        }
    }

    @Test
    void reconstructsTheOutputsOnCorrelatedInputsBetterThanMagnitudeAndWanda() {
        int rows = 24, cols = 192, tokens = 1024;
        Random rnd = new Random(17);
        double[] x = correlatedInputs(tokens, cols, rnd);
        double[] h = gram(x, tokens, cols);
        float[] dense = randomWeights(rows, cols, rnd);
        for (SparsityPattern p : new SparsityPattern[] {HALF, TWO_OF_FOUR}) {
            float[] sparseGpt = dense.clone();
            SparseGpt.withThreads(2).prune(sparseGpt, rows, cols, h, p);
            float[] magnitude = magnitudePruned(dense, rows, cols, p, cols);
            float[] wanda = wandaPruned(dense, rows, cols, p, h);
            double eS = outputError(dense, sparseGpt, rows, cols, h);
            double eM = outputError(dense, magnitude, rows, cols, h);
            double eW = outputError(dense, wanda, rows, cols, h);
            assertTrue(eS < eM && eS < eW, p.label() + ": ‖WX − ŴX‖² sparsegpt " + eS + ", magnitude " + eM
                    + ", wanda " + eW);
        }
    }

    @Test
    void itsLossEstimateIsTheOutputErrorOfTheDampedHessian() {
        int rows = 9, cols = 160, tokens = 400;
        Random rnd = new Random(23);
        double[] h = gram(correlatedInputs(tokens, cols, rnd), tokens, cols);
        float[] dense = randomWeights(rows, cols, rnd);
        float[] w = dense.clone();
        SparseGpt.Outcome outcome = SparseGpt.withThreads(1).prune(w, rows, cols, h, HALF);
        double meanDiagonal = 0;
        for (int j = 0; j < cols; j++) meanDiagonal += h[j * cols + j] / cols;
        double[] damped = h.clone();
        for (int j = 0; j < cols; j++) damped[j * cols + j] += 0.01 * meanDiagonal;
        // each removal is an exact optimal brain surgeon step on a quadratic, so the steps' costs add up to the total
        double exact = outputError(dense, w, rows, cols, damped) / 2;
        assertEquals(exact, outcome.estimatedLoss(), 1e-4 * exact);
    }

    @Test
    void countsAreExact() {
        int rows = 13, cols = 264;
        double[] h = gram(correlatedInputs(300, cols, new Random(2)), 300, cols);
        for (double s : new double[] {0.5, 0.3, 0.9}) {
            float[] w = randomWeights(rows, cols, new Random(8));
            SparseGpt.Outcome o = SparseGpt.withThreads(2).prune(w, rows, cols, h, new SparsityPattern.Unstructured(s));
            assertEquals(Math.round(rows * cols * s), zeros(w, 0, w.length), "sparsity " + s);
            assertEquals(o.zeros(), zeros(w, 0, w.length));
        }
        for (SparsityPattern.NOfM nm : new SparsityPattern.NOfM[] {new SparsityPattern.NOfM(2, 4),
                new SparsityPattern.NOfM(3, 8), new SparsityPattern.NOfM(1, 11)}) {
            float[] w = randomWeights(rows, 264, new Random(9));
            SparseGpt.withThreads(2).prune(w, rows, 264, h, nm);
            for (int g = 0; g < w.length; g += nm.group()) {
                assertEquals(nm.group() - nm.kept(), zeros(w, g, g + nm.group()), nm.label() + " group at " + g);
            }
        }
    }

    @Test
    void threadsChangeNothing() {
        int rows = 31, cols = 200;
        double[] h = gram(correlatedInputs(300, cols, new Random(4)), 300, cols);
        for (SparsityPattern p : new SparsityPattern[] {HALF, TWO_OF_FOUR}) {
            float[] one = randomWeights(rows, cols, new Random(6));
            float[] two = one.clone();
            SparseGpt.withThreads(1).prune(one, rows, cols, h, p);
            SparseGpt.withThreads(2).prune(two, rows, cols, h, p);
            assertArrayEquals(one, two, p.label());
        }
    }

    @Test
    void aDeadInputLosesItsWeightsAndTheRestIsStillPruned() {
        int rows = 4, cols = 16;
        double[] h = gram(correlatedInputs(64, cols, new Random(1)), 64, cols);
        for (int j = 0; j < cols; j++) {
            h[5 * cols + j] = 0;
            h[j * cols + 5] = 0;
        }
        float[] w = randomWeights(rows, cols, new Random(2));
        SparseGpt.withThreads(1).prune(w, rows, cols, h, TWO_OF_FOUR);
        for (int r = 0; r < rows; r++) {
            assertEquals(0f, w[r * cols + 5], "input 5 never fired");
            for (int g = 0; g < cols; g += 4) assertEquals(2, zeros(w, r * cols + g, r * cols + g + 4));
        }
    }

    @Test
    void refusesRowsThatDoNotSplitIntoGroups() {
        float[] w = new float[2 * 6];
        var e = assertThrows(IllegalArgumentException.class,
                () -> SparseGpt.withThreads(1).prune(w, 2, 6, identity(6), TWO_OF_FOUR));
        assertTrue(e.getMessage().contains("groups of 4"), e.getMessage());
    }

    // ---- references computed here, independently of the code under test

    /**
     * Magnitude pruning within column blocks of {@code block}: unstructured takes the requested share of the smallest
     * |w| of each block across rows (cumulative rounding, as SparseGPT counts); N:M the smallest of each group.
     */
    static float[] magnitudePruned(float[] dense, int rows, int cols, SparsityPattern p, int block) {
        float[] w = dense.clone();
        double[] score = new double[w.length];
        for (int i = 0; i < w.length; i++) score[i] = Math.abs(w[i]);
        applyLowest(w, score, rows, cols, p, block);
        return w;
    }

    /** Wanda: |W_ij|·‖X_j‖₂ compared within each row (unstructured) or each group (N:M). */
    static float[] wandaPruned(float[] dense, int rows, int cols, SparsityPattern p, double[] h) {
        float[] w = dense.clone();
        double[] score = new double[w.length];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) score[r * cols + j] = Math.abs(w[r * cols + j]) * Math.sqrt(h[j * cols + j]);
        }
        if (p instanceof SparsityPattern.Unstructured un) {
            for (int r = 0; r < rows; r++) {
                float[] row = new float[cols];
                System.arraycopy(w, r * cols, row, 0, cols);
                double[] s = new double[cols];
                System.arraycopy(score, r * cols, s, 0, cols);
                applyLowest(row, s, 1, cols, un, cols);
                System.arraycopy(row, 0, w, r * cols, cols);
            }
        } else {
            applyLowest(w, score, rows, cols, p, cols);
        }
        return w;
    }

    private static void applyLowest(float[] w, double[] score, int rows, int cols, SparsityPattern p, int block) {
        switch (p) {
            case SparsityPattern.Unstructured un -> {
                long removed = 0;
                for (int i1 = 0; i1 < cols; i1 += block) {
                    int i2 = Math.min(cols, i1 + block);
                    long target = Math.round((double) rows * i2 * un.sparsity());
                    java.util.List<int[]> cells = new java.util.ArrayList<>();
                    for (int r = 0; r < rows; r++) for (int j = i1; j < i2; j++) cells.add(new int[] {r, j});
                    cells.sort(java.util.Comparator.comparingDouble(c -> score[c[0] * cols + c[1]]));
                    for (int k = 0; k < target - removed; k++) w[cells.get(k)[0] * cols + cells.get(k)[1]] = 0;
                    removed = target;
                }
            }
            case SparsityPattern.NOfM nm -> {
                for (int g = 0; g < w.length; g += nm.group()) {
                    Integer[] idx = new Integer[nm.group()];
                    for (int k = 0; k < idx.length; k++) idx[k] = g + k;
                    java.util.Arrays.sort(idx, java.util.Comparator.comparingDouble(i -> score[i]));
                    for (int k = 0; k < nm.group() - nm.kept(); k++) w[idx[k]] = 0;
                }
            }
        }
    }

    /** Σ_r (w_r − ŵ_r)ᵀ H (w_r − ŵ_r) = ‖WX − ŴX‖² when H = XᵀX. */
    static double outputError(float[] dense, float[] pruned, int rows, int cols, double[] h) {
        double total = 0;
        double[] d = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) d[j] = (double) dense[r * cols + j] - pruned[r * cols + j];
            for (int i = 0; i < cols; i++) {
                double s = 0;
                for (int j = 0; j < cols; j++) s += h[i * cols + j] * d[j];
                total += d[i] * s;
            }
        }
        return total;
    }

    /** X = Z·A: independent Gaussian Z mixed by a random A, plus a few loud inputs as real activations have. */
    static double[] correlatedInputs(int tokens, int cols, Random rnd) {
        double[] a = new double[cols * cols];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian() / Math.sqrt(cols);
        for (int j = 0; j < cols; j++) a[j * cols + j] += 0.3;
        double[] x = new double[tokens * cols];
        double[] z = new double[cols];
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < cols; k++) z[k] = rnd.nextGaussian() * (k % 17 == 0 ? 4 : 1);
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < cols; k++) s += z[k] * a[k * cols + j];
                x[t * cols + j] = s;
            }
        }
        return x;
    }

    static double[] gram(double[] x, int tokens, int cols) {
        double[] h = new double[cols * cols];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < cols; i++) {
                double xi = x[t * cols + i];
                for (int j = 0; j < cols; j++) h[i * cols + j] += xi * x[t * cols + j];
            }
        }
        return h;
    }

    static double[] identity(int n) {
        double[] h = new double[n * n];
        for (int i = 0; i < n; i++) h[i * n + i] = 1;
        return h;
    }

    static float[] randomWeights(int rows, int cols, Random rnd) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        return w;
    }

    static int zeros(float[] w, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if (w[i] == 0) n++;
        return n;
    }
}
