package dev.quantscope.train.llama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MatmulKernel} with the Vector API: dot products and axpys along the columns, where both operands are
 * contiguous. The forward pass takes four tokens per weight row at a time, so each row is loaded once for four
 * dot products; the tails (columns not a multiple of the lane count, tokens not a multiple of four) run as scalars.
 * Lanes are summed in lane order ({@link #sum}), not with {@code reduceLanes}, whose order may differ between the
 * interpreter and compiled code: a seeded training run must repeat bit for bit.
 */
public record VectorMatmul() implements MatmulKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Override
    public void forward(float[] x, float[] w, float[] y, int tokens, int rows, int cols, int r0, int r1) {
        int bound = SPECIES.loopBound(cols), lanes = SPECIES.length();
        float[] lane = new float[lanes];
        for (int r = r0; r < r1; r++) {
            int wo = r * cols;
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
                FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
                int c = 0;
                for (; c < bound; c += lanes) {
                    FloatVector wv = FloatVector.fromArray(SPECIES, w, wo + c);
                    a0 = FloatVector.fromArray(SPECIES, x, x0 + c).fma(wv, a0);
                    a1 = FloatVector.fromArray(SPECIES, x, x1 + c).fma(wv, a1);
                    a2 = FloatVector.fromArray(SPECIES, x, x2 + c).fma(wv, a2);
                    a3 = FloatVector.fromArray(SPECIES, x, x3 + c).fma(wv, a3);
                }
                float s0 = sum(a0, lane), s1 = sum(a1, lane), s2 = sum(a2, lane), s3 = sum(a3, lane);
                for (; c < cols; c++) {
                    float wc = w[wo + c];
                    s0 += x[x0 + c] * wc;
                    s1 += x[x1 + c] * wc;
                    s2 += x[x2 + c] * wc;
                    s3 += x[x3 + c] * wc;
                }
                y[t * rows + r] = s0;
                y[(t + 1) * rows + r] = s1;
                y[(t + 2) * rows + r] = s2;
                y[(t + 3) * rows + r] = s3;
            }
            for (; t < tokens; t++) {
                int xo = t * cols;
                FloatVector acc = FloatVector.zero(SPECIES);
                int c = 0;
                for (; c < bound; c += lanes) {
                    acc = FloatVector.fromArray(SPECIES, x, xo + c).fma(FloatVector.fromArray(SPECIES, w, wo + c), acc);
                }
                float s = sum(acc, lane);
                for (; c < cols; c++) s += x[xo + c] * w[wo + c];
                y[t * rows + r] = s;
            }
        }
    }

    @Override
    public void backwardInput(float[] dy, float[] w, float[] dx, int rows, int cols, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            axpyRows(dy, t * rows, rows, w, dx, t * cols, cols);
        }
    }

    @Override
    public void backwardWeight(float[] dy, float[] x, float[] dw, int tokens, int rows, int cols, int r0, int r1) {
        int bound = SPECIES.loopBound(cols), lanes = SPECIES.length();
        for (int r = r0; r < r1; r++) {
            int wo = r * cols;
            for (int t = 0; t < tokens; t++) {
                float g = dy[t * rows + r];
                if (g == 0) continue;
                int xo = t * cols;
                FloatVector gv = FloatVector.broadcast(SPECIES, g);
                int c = 0;
                for (; c < bound; c += lanes) {
                    FloatVector.fromArray(SPECIES, x, xo + c).fma(gv, FloatVector.fromArray(SPECIES, dw, wo + c))
                            .intoArray(dw, wo + c);
                }
                for (; c < cols; c++) dw[wo + c] += g * x[xo + c];
            }
        }
    }

    /** The lanes of {@code v} added in lane order, through {@code scratch} (one lane's length). */
    private static float sum(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float s = 0;
        for (float f : scratch) s += f;
        return s;
    }

    /** dst[off…off+cols) += Σ_r coef[co + r]·W[r, ·]. */
    private static void axpyRows(float[] coef, int co, int rows, float[] w, float[] dst, int off, int cols) {
        int bound = SPECIES.loopBound(cols), lanes = SPECIES.length();
        for (int r = 0; r < rows; r++) {
            float g = coef[co + r];
            if (g == 0) continue;
            int wo = r * cols;
            FloatVector gv = FloatVector.broadcast(SPECIES, g);
            int c = 0;
            for (; c < bound; c += lanes) {
                FloatVector.fromArray(SPECIES, w, wo + c).fma(gv, FloatVector.fromArray(SPECIES, dst, off + c))
                        .intoArray(dst, off + c);
            }
            for (; c < cols; c++) dst[off + c] += g * w[wo + c];
        }
    }
}
