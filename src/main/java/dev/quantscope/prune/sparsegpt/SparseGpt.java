package dev.quantscope.prune.sparsegpt;

import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.prune.SparsityPattern;

/**
 * SparseGPT (Frantar &amp; Alistarh, 2023) on one weight matrix: removes weights to a {@link SparsityPattern} and
 * updates the weights that stay so that the layer's output on the calibration inputs changes as little as it can
 * (optimal brain surgeon, row by row, with the inverse Hessian's Cholesky factor standing in for the sequence of
 * shrinking inverses).
 *
 * <p>Columns are visited in blocks of {@code blockSize}. At the start of a block the mask is chosen by the removal
 * cost w²/[H⁻¹]_jj²: for an unstructured pattern the requested fraction of the whole block across all rows, for N:M
 * within every group of M of each row as the visit reaches it. Inside the block each removed weight's error is spread
 * over the row's later columns of the block at once; the later blocks receive the block's errors in one product
 * when it is done (the reference's lazy batch update). Rows never exchange values, so once a block's mask is known
 * they are shared across threads; only the unstructured mask needs all rows, which is why the threads meet at every
 * block.
 *
 * @param damping   added to H's diagonal, as a fraction of the diagonal's mean (the reference's 1 %)
 * @param blockSize columns per block (128 in the reference); for N:M rounded down to a multiple of M, so that no
 *                  group straddles two blocks
 * @param threads   threads sharing the rows, the caller included
 */
public record SparseGpt(double damping, int blockSize, int threads) {

    /**
     * What pruning left: the zeros now in the matrix and the reference's loss estimate, Σ over removed weights of
     * w²/(2 U_jj²) at the time of removal, which equals ½ Σ_rows δᵀ(H + damping)δ for the change δ of each row.
     */
    public record Outcome(long zeros, double estimatedLoss) {}

    public SparseGpt {
        if (!(damping >= 0)) throw new IllegalArgumentException("damping must be non-negative: " + damping);
        if (blockSize < 1) throw new IllegalArgumentException("block size must be positive: " + blockSize);
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }

    /** The reference's settings: 1 % damping, blocks of 128 columns. */
    public static SparseGpt withThreads(int threads) {
        return new SparseGpt(0.01, 128, threads);
    }

    /**
     * Prunes {@code w} in place.
     *
     * @param w       rows × cols weights, row-major: a row is one output channel's inputs (ggml's layout)
     * @param hessian cols × cols, XᵀX summed over the calibration tokens (its scale does not matter); not changed
     * @throws IllegalArgumentException when the sizes disagree, the pattern does not fit the rows, or the damped
     *                                  Hessian is not positive definite
     */
    public Outcome prune(float[] w, int rows, int cols, double[] hessian, SparsityPattern pattern) {
        if ((long) rows * cols != w.length) {
            throw new IllegalArgumentException(w.length + " weights are not " + rows + " rows of " + cols);
        }
        if ((long) cols * cols != hessian.length) {
            throw new IllegalArgumentException("the Hessian has " + hessian.length + " entries, expected " + cols + "²");
        }
        pattern.problem(cols).ifPresent(p -> { throw new IllegalArgumentException("cannot prune to " + pattern.label() + ": " + p); });

        double[] h = dampedWithDeadInputs(hessian, w, rows, cols);
        double[] u = InverseHessianFactor.upperFactorOfInverse(h, cols);
        int width = switch (pattern) {
            case SparsityPattern.Unstructured un -> blockSize;
            case SparsityPattern.NOfM nm -> Math.max(nm.group(), blockSize / nm.group() * nm.group());
        };
        double[] rowLoss = new double[rows];
        long masked = 0;
        try (RowParallel pool = new RowParallel(threads)) {
            for (int i1 = 0; i1 < cols; i1 += width) {
                int i2 = Math.min(cols, i1 + width);
                boolean[] mask = null;
                if (pattern instanceof SparsityPattern.Unstructured un) {
                    long target = Math.round((double) rows * i2 * un.sparsity());
                    mask = BlockMask.lowest(scores(w, rows, cols, u, i1, i2), Math.toIntExact(target - masked));
                    masked = target;
                }
                BlockStep step = new BlockStep(w, cols, u, i1, i2, mask, pattern, rowLoss);
                pool.forRange(rows, 1, step::rows);
            }
        }
        long zeros = 0;
        for (float f : w) if (f == 0) zeros++;
        double loss = 0;
        for (double l : rowLoss) loss += l;
        return new Outcome(zeros, loss);
    }

    /**
     * A copy of H with the damping on its diagonal. An input that was zero on every calibration token (H_jj = 0)
     * gets H_jj = 1 and its weights are set to zero, as the reference does: nothing can be learnt about it, and
     * removing it costs nothing on that data.
     */
    private double[] dampedWithDeadInputs(double[] hessian, float[] w, int rows, int cols) {
        double[] h = hessian.clone();
        double diagonalSum = 0;
        for (int j = 0; j < cols; j++) {
            if (h[j * cols + j] == 0) {
                h[j * cols + j] = 1;
                for (int r = 0; r < rows; r++) w[r * cols + j] = 0;
            }
            diagonalSum += h[j * cols + j];
        }
        double damp = damping * diagonalSum / cols;
        for (int j = 0; j < cols; j++) h[j * cols + j] += damp;
        return h;
    }

    /** The removal cost w²/U_jj² of every weight in columns [i1, i2), row-major over the block. */
    private static double[] scores(float[] w, int rows, int cols, double[] u, int i1, int i2) {
        int width = i2 - i1;
        double[] s = new double[rows * width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) s[r * width + c] = cost(w[r * cols + i1 + c], u[(i1 + c) * cols + i1 + c]);
        }
        return s;
    }

    static double cost(double weight, double ujj) {
        return weight * weight / (ujj * ujj);
    }

    /** One block's work on a range of rows; each row is done wholly by one thread. */
    private record BlockStep(float[] w, int cols, double[] u, int i1, int i2, boolean[] blockMask,
                             SparsityPattern pattern, double[] rowLoss) {

        void rows(int rowStart, int rowEnd) {
            int width = i2 - i1;
            double[] row = new double[width];
            double[] err = new double[width];
            double[] later = new double[cols - i2];
            boolean[] removed = new boolean[width];
            for (int r = rowStart; r < rowEnd; r++) {
                int base = r * cols;
                for (int c = 0; c < width; c++) row[c] = w[base + i1 + c];
                if (blockMask != null) System.arraycopy(blockMask, r * width, removed, 0, width);
                double loss = 0;
                for (int c = 0; c < width; c++) {
                    int j = i1 + c;
                    if (pattern instanceof SparsityPattern.NOfM nm && c % nm.group() == 0) {
                        chooseInGroup(row, c, nm, removed);
                    }
                    double d = u[j * cols + j];
                    if (!removed[c]) {
                        err[c] = 0;
                        continue;
                    }
                    double e = row[c] / d;
                    loss += e * e / 2;
                    err[c] = e;
                    row[c] = 0;
                    // the weights after j in this block take up what weight j did for the inputs correlated with it
                    for (int k = c + 1; k < width; k++) row[k] -= e * u[j * cols + i1 + k];
                }
                for (int c = 0; c < width; c++) w[base + i1 + c] = (float) row[c];
                rowLoss[r] += loss;
                if (later.length == 0) continue;
                java.util.Arrays.fill(later, 0);
                for (int c = 0; c < width; c++) {
                    double e = err[c];
                    if (e == 0) continue;
                    int uRow = (i1 + c) * cols + i2;
                    for (int k = 0; k < later.length; k++) later[k] += e * u[uRow + k];
                }
                for (int k = 0; k < later.length; k++) w[base + i2 + k] = (float) (w[base + i2 + k] - later[k]);
            }
        }

        /** Marks the M − N weights of lowest cost in the group starting at {@code c}; ties go to the lower column. */
        private void chooseInGroup(double[] row, int c, SparsityPattern.NOfM nm, boolean[] removed) {
            int m = nm.group();
            for (int k = 0; k < m; k++) removed[c + k] = false;
            for (int n = 0; n < m - nm.kept(); n++) {
                int best = -1;
                double bestCost = Double.POSITIVE_INFINITY;
                for (int k = 0; k < m; k++) {
                    if (removed[c + k]) continue;
                    int j = i1 + c + k;
                    double s = cost(row[c + k], u[j * cols + j]);
                    if (best < 0 || s < bestCost) {
                        best = k;
                        bestCost = s;
                    }
                }
                removed[c + best] = true;
            }
        }
    }
}
