package dev.quantscope.prune;

/**
 * How much a weight of a row-major {@code rows × cols} tensor is worth keeping (a row is one output channel's
 * {@code cols} input weights, ggml's layout); the lowest scores are pruned. Scores are never negative, so their float
 * bits order them as their values do (NaN above +∞), which the selections rely on.
 */
public sealed interface WeightScore {

    /** The score of {@code weight}, found in input column {@code col}. */
    float of(float weight, int col);

    /** |W_ij|. */
    record Magnitude() implements WeightScore {
        @Override
        public float of(float weight, int col) { return Math.abs(weight); }
    }

    /**
     * Wanda's |W_ij|·‖X_j‖₂ (Sun et al., 2023), {@code columnNorms[j]} being ‖X_j‖₂ over the calibration tokens.
     * Wanda compares weights only within a row, where every weight meets each column once, so a norm taken over the
     * mean of x_j² instead of the sum ranks the same.
     */
    record Wanda(float[] columnNorms) implements WeightScore {
        public Wanda {
            columnNorms = columnNorms.clone();
        }

        /**
         * From the per-column sums (or means) of x_j² over the calibration tokens, one per input column.
         * @throws IllegalArgumentException if there are not {@code cols} of them or one is negative or not a number
         */
        public static Wanda ofColumnSquares(float[] columnSquares, int cols) {
            if (columnSquares.length != cols) {
                throw new IllegalArgumentException("Wanda needs one column square per input column: the tensor has "
                        + cols + " columns but " + columnSquares.length + " squares were given");
            }
            float[] norms = new float[cols];
            for (int j = 0; j < cols; j++) {
                if (!(columnSquares[j] >= 0) || Float.isInfinite(columnSquares[j])) {
                    throw new IllegalArgumentException("the column square of input column " + j + " is "
                            + columnSquares[j] + ", not a finite number of at least zero");
                }
                norms[j] = (float) Math.sqrt(columnSquares[j]);
            }
            return new Wanda(norms);
        }

        @Override
        public float of(float weight, int col) { return Math.abs(weight) * columnNorms[col]; }

        @Override
        public boolean equals(Object o) { return o instanceof Wanda w && java.util.Arrays.equals(w.columnNorms, columnNorms); }

        @Override
        public int hashCode() { return java.util.Arrays.hashCode(columnNorms); }

        @Override
        public String toString() { return "Wanda[" + columnNorms.length + " column norms]"; }
    }

    /** The score of every weight of {@code w}, row-major like it. */
    default float[] all(float[] w, int rows, int cols) {
        SparsityMask.requireShape(w, rows, cols);
        float[] scores = new float[w.length];
        for (int i = 0; i < w.length; i++) scores[i] = of(w[i], i % cols);
        return scores;
    }

    /** The float bits of a non-negative score (or of |v| for any v), in the order of the values. */
    static int key(float nonNegative) { return Float.floatToRawIntBits(nonNegative) & 0x7fff_ffff; }
}
