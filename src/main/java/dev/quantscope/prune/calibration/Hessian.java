package dev.quantscope.prune.calibration;

/**
 * H = XᵀX of one matrix input over the calibration tokens: {@code size} × {@code size}, row-major, symmetric, summed
 * (not averaged: SparseGPT does not care for the scale, and the sum keeps the token count separate).
 *
 * @param tokens the rows of X, i.e. the tokens seen
 */
public record Hessian(int size, double[] values, long tokens) {

    public Hessian {
        if ((long) size * size != values.length) {
            throw new IllegalArgumentException(values.length + " values are not " + size + "²");
        }
    }

    /** Σ x_j² over the tokens for every input j: H's diagonal, what Wanda's ‖X_j‖₂ is the square root of. */
    public double[] columnSquares() {
        double[] d = new double[size];
        for (int j = 0; j < size; j++) d[j] = values[j * size + j];
        return d;
    }
}
