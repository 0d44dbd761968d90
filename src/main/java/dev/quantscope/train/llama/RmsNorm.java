package dev.quantscope.train.llama;

/**
 * RMSNorm over each token's vector: y = x·r·w with r = (mean(x²) + ε)^−½, the sum of squares in double as the
 * engine (and ggml) computes it, so the training forward gives the engine's numbers.
 */
public final class RmsNorm {
    private RmsNorm() {}

    /** Writes y and, per token, r (what the backward pass needs besides x). */
    public static void forward(float[] x, float[] w, float eps, int tokens, int dim, float[] y, float[] inv) {
        for (int t = 0; t < tokens; t++) {
            int o = t * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += x[o + i] * x[o + i];
            float r = (float) (1.0 / Math.sqrt((float) (ss / dim) + eps));
            inv[t] = r;
            for (int i = 0; i < dim; i++) y[o + i] = x[o + i] * r * w[i];
        }
    }

    /**
     * Accumulates dx and dw from dy. With g = dy·w: dx = r·g − r³/d·x·(g·x), since r depends on every x_i through
     * mean(x²); dw_i = Σ_t dy_i·x_i·r.
     */
    public static void backward(float[] x, float[] w, float[] inv, float[] dy, int tokens, int dim, float[] dx, float[] dw) {
        for (int t = 0; t < tokens; t++) {
            int o = t * dim;
            float r = inv[t];
            double dot = 0;
            for (int i = 0; i < dim; i++) {
                dot += dy[o + i] * w[i] * x[o + i];
                dw[i] += dy[o + i] * x[o + i] * r;
            }
            float k = (float) (dot * r * r * r / dim);
            for (int i = 0; i < dim; i++) dx[o + i] += r * w[i] * dy[o + i] - k * x[o + i];
        }
    }
}
