package dev.quantscope.train.llama;

import dev.quantscope.engine.kernel.RowParallel;

/**
 * A {@link MatmulKernel} split over the cores of a {@link RowParallel} pool: the forward pass and the weight
 * gradient by rows of W, the input gradient by tokens, so no two threads write the same element. Products too small
 * to pay for waking the workers run on the calling thread.
 */
public final class Matmuls {
    /** Multiply-adds below which a product runs on the calling thread. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;

    private final MatmulKernel kernel;
    private final RowParallel pool;

    public Matmuls(MatmulKernel kernel, RowParallel pool) {
        this.kernel = kernel;
        this.pool = pool;
    }

    public MatmulKernel kernel() { return kernel; }

    /** y = x·Wᵀ (y is overwritten). */
    public void forward(float[] x, float[] w, float[] y, int tokens, int rows, int cols) {
        if (small(tokens, rows, cols)) kernel.forward(x, w, y, tokens, rows, cols, 0, rows);
        else pool.forRange(rows, 8, (r0, r1) -> kernel.forward(x, w, y, tokens, rows, cols, r0, r1));
    }

    /** dx += dy·W. */
    public void backwardInput(float[] dy, float[] w, float[] dx, int tokens, int rows, int cols) {
        if (small(tokens, rows, cols)) kernel.backwardInput(dy, w, dx, rows, cols, 0, tokens);
        else pool.forRange(tokens, 1, (t0, t1) -> kernel.backwardInput(dy, w, dx, rows, cols, t0, t1));
    }

    /** dW += dyᵀ·x. */
    public void backwardWeight(float[] dy, float[] x, float[] dw, int tokens, int rows, int cols) {
        if (small(tokens, rows, cols)) kernel.backwardWeight(dy, x, dw, tokens, rows, cols, 0, rows);
        else pool.forRange(rows, 8, (r0, r1) -> kernel.backwardWeight(dy, x, dw, tokens, rows, cols, r0, r1));
    }

    private static boolean small(int tokens, int rows, int cols) {
        return (long) tokens * rows * cols < PARALLEL_THRESHOLD;
    }
}
