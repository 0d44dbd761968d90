package dev.quantscope.train.llama;

/** The reference {@link MatmulKernel}: plain loops, in the order the definitions read. */
public record ScalarMatmul() implements MatmulKernel {

    @Override
    public void forward(float[] x, float[] w, float[] y, int tokens, int rows, int cols, int r0, int r1) {
        for (int t = 0; t < tokens; t++) {
            int xo = t * cols;
            for (int r = r0; r < r1; r++) {
                int wo = r * cols;
                float s = 0;
                for (int c = 0; c < cols; c++) s += x[xo + c] * w[wo + c];
                y[t * rows + r] = s;
            }
        }
    }

    @Override
    public void backwardInput(float[] dy, float[] w, float[] dx, int rows, int cols, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            int xo = t * cols;
            for (int r = 0; r < rows; r++) {
                float g = dy[t * rows + r];
                if (g == 0) continue;
                int wo = r * cols;
                for (int c = 0; c < cols; c++) dx[xo + c] += g * w[wo + c];
            }
        }
    }

    @Override
    public void backwardWeight(float[] dy, float[] x, float[] dw, int tokens, int rows, int cols, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int wo = r * cols;
            for (int t = 0; t < tokens; t++) {
                float g = dy[t * rows + r];
                if (g == 0) continue;
                int xo = t * cols;
                for (int c = 0; c < cols; c++) dw[wo + c] += g * x[xo + c];
            }
        }
    }
}
