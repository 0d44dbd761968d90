package dev.quantscope.train.llama;

/**
 * The three products of a linear layer y = x·Wᵀ over a window of tokens, on row-major float arrays: x is
 * tokens × cols, W rows × cols, y tokens × rows. Each works on a range of rows or tokens so that {@link Matmuls} can
 * split it over cores with every output element written by one thread (which keeps runs repeatable bit for bit).
 * {@link ScalarMatmul} is the reference, {@link VectorMatmul} the fast path, tested against it.
 */
public sealed interface MatmulKernel permits ScalarMatmul, VectorMatmul {

    /** y[t, r] = Σ_c x[t, c]·W[r, c] for rows [r0, r1) and every token. */
    void forward(float[] x, float[] w, float[] y, int tokens, int rows, int cols, int r0, int r1);

    /** dx[t, c] += Σ_r dy[t, r]·W[r, c] for tokens [t0, t1). */
    void backwardInput(float[] dy, float[] w, float[] dx, int rows, int cols, int t0, int t1);

    /** dW[r, c] += Σ_t dy[t, r]·x[t, c] for rows [r0, r1) and every token. */
    void backwardWeight(float[] dy, float[] x, float[] dw, int tokens, int rows, int cols, int r0, int r1);
}
