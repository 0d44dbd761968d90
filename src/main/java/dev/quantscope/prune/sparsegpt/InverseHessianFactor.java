package dev.quantscope.prune.sparsegpt;

/**
 * The upper Cholesky factor U of H⁻¹ (H⁻¹ = UᵀU), which is all SparseGPT needs of the inverse Hessian: row j of U,
 * divided by U_jj, is how the weights after column j change when weight j is removed, and U_jj² is the [H⁻¹]_jj
 * that the removal cost of column j divides by, taken after the columns before j were fixed.
 *
 * <p>Computed without forming H⁻¹: with J the order-reversing permutation, the lower Cholesky factor L of JHJ gives
 * H = R Rᵀ with R = JLJ upper triangular, so H⁻¹ = (R⁻¹)ᵀ R⁻¹ and U = R⁻¹, one factorisation and one triangular
 * inverse instead of the reference's three cubic steps (factor, invert, factor again). All in double: H of a
 * few thousand columns is too badly conditioned for float.
 */
final class InverseHessianFactor {
    private InverseHessianFactor() {}

    /**
     * U for the symmetric positive definite {@code h} (n × n, row-major, left unchanged).
     * @throws IllegalArgumentException when {@code h} is not positive definite
     */
    static double[] upperFactorOfInverse(double[] h, int n) {
        double[] r = upperFactor(h, n);
        invertUpperInPlace(r, n);
        return r;
    }

    /**
     * R upper triangular with H = R Rᵀ: Cholesky run from the last column backwards, which is the lower factor of
     * the reversed matrix written back in the original order.
     */
    static double[] upperFactor(double[] h, int n) {
        double[] r = new double[n * n];
        for (int j = n - 1; j >= 0; j--) {
            double d = h[j * n + j];
            for (int k = j + 1; k < n; k++) d -= r[j * n + k] * r[j * n + k];
            if (!(d > 0)) {
                throw new IllegalArgumentException("the Hessian is not positive definite (column " + j + ")");
            }
            double rjj = Math.sqrt(d);
            r[j * n + j] = rjj;
            for (int i = j - 1; i >= 0; i--) {
                double s = h[i * n + j];
                for (int k = j + 1; k < n; k++) s -= r[i * n + k] * r[j * n + k];
                r[i * n + j] = s / rjj;
            }
        }
        return r;
    }

    /**
     * Replaces the upper triangular {@code r} by its inverse (also upper triangular), row by row from the last: row i
     * of R⁻¹ is −(1/R_ii) Σ_{k>i} R_ik · (row k of R⁻¹), so every step adds whole rows that are already done, reading
     * memory in order.
     */
    static void invertUpperInPlace(double[] r, int n) {
        double[] rowOfR = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            int base = i * n;
            System.arraycopy(r, base, rowOfR, 0, n);
            double inv = 1 / rowOfR[i];
            java.util.Arrays.fill(r, base + i + 1, base + n, 0);
            for (int k = i + 1; k < n; k++) {
                double f = -rowOfR[k] * inv;
                if (f == 0) continue;
                int kb = k * n;
                for (int j = k; j < n; j++) r[base + j] += f * r[kb + j];
            }
            r[base + i] = inv;
        }
    }
}
