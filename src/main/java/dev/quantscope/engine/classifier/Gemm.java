package dev.quantscope.engine.classifier;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one matrix product every classifier layer reduces to, forward and backward: {@code C[m×n] (+)= A[m×k] · B[k×n]},
 * B and C row-major, A read element by element through strides (so Aᵀ costs nothing: swap the strides).
 *
 * <p>Each element of C is accumulated as {@code c = fma(a[i,p], b[p,j], c)} over p = 0 … k−1 in order, in the scalar
 * reference and in every path of the vector kernel alike, so the two agree bit for bit, and a result never depends on
 * how the rows of C were split among threads (what makes a seeded training run repeat whatever the thread count).
 *
 * <p>The vector kernel keeps a 6-row (or 4-row) × 4-vector block of C in registers while it streams a panel of B
 * (a k-slice × 4 vectors, which stays in the L1 cache across all row blocks) and broadcasts A's elements: 24 FMAs per
 * 4 loads and 6 broadcasts.
 * The columns left go 4 rows × 3 vectors, then × 2, then 1 vector at a time, the last vector masked. (4 × 4 against
 * the 4 × 3 block alone, hot caches, one thread: dWᵀ of the CNN's second convolution, 288×64×196, 88 → 58 µs; the
 * dense forward 64×128×3136, 964 → 535 µs.)
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int ROWS = 4, VECS = 3, PANEL = VECS * L, WIDE = 4 * L;
    /**
     * The slice of k one pass over C takes. Measured (hot caches, one thread, AVX-512): the CNN's second convolution
     * forward, 64×196×288, 74 µs unsliced, 60 at 32, 52 at 64, 72 at 96; its dWᵀ, 288×64×196, 52 → 46 at 64.
     */
    private static final int DEPTH = 64;

    private Gemm() {}

    /**
     * {@code C (+)= A · B}, with A[i,p] = {@code a[aOff + i·aRow + p·aCol]}, B[p,j] = {@code b[bOff + p·ldb + j]} and
     * C[i,j] = {@code c[cOff + i·ldc + j]}; {@code accumulate} false overwrites C.
     */
    public static void multiply(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        // k in slices, C stored between them: the fma chain of each element goes on from the stored float, so the
        // sequence is the same, while a slice of a B panel (DEPTH × 4 vectors) stays in the L1 cache for all rows
        if (k == 0) panels(m, n, 0, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
        for (int p = 0; p < k; p += DEPTH) {
            panels(m, n, Math.min(DEPTH, k - p), a, aOff + p * aCol, aRow, aCol, b, bOff + p * ldb, ldb, c, cOff, ldc, accumulate || p > 0);
        }
    }

    private static void panels(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        // 6-row blocks where they leave a multiple of 4 rows (or one row more, m odd) for the 4-row ones
        int six = m / 6;
        if (six > 0 && (m - 6 * six) % 4 > 1) six--;
        int j = 0;
        for (; j + WIDE <= n; j += WIDE) {
            int i = 0;
            for (; i < 6 * six; i += 6) block6x4(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            for (; i + ROWS <= m; i += ROWS) block4x4(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            for (; i < m; i++) {
                for (int v = 0; v < 4; v++) row1x1(k, a, aOff + i * aRow, aCol, b, bOff + j + v * L, ldb, c, cOff + i * ldc + j + v * L, accumulate, L);
            }
        }
        for (; j + PANEL <= n; j += PANEL) {
            int i = 0;
            for (; i + ROWS <= m; i += ROWS) block4x3(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            for (; i < m; i++) {
                for (int v = 0; v < VECS; v++) row1x1(k, a, aOff + i * aRow, aCol, b, bOff + j + v * L, ldb, c, cOff + i * ldc + j + v * L, accumulate, L);
            }
        }
        if (j + 2 * L <= n) {
            int i = 0;
            for (; i + ROWS <= m; i += ROWS) block4x2(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate);
            for (; i < m; i++) {
                for (int v = 0; v < 2; v++) row1x1(k, a, aOff + i * aRow, aCol, b, bOff + j + v * L, ldb, c, cOff + i * ldc + j + v * L, accumulate, L);
            }
            j += 2 * L;
        }
        // the columns left: a vector at a time, the last one masked (lanes past n are neither read nor written)
        for (; j < n; j += L) {
            int lanes = Math.min(L, n - j);
            int i = 0;
            for (; i + ROWS <= m; i += ROWS) block4x1(k, a, aOff + i * aRow, aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, accumulate, lanes);
            for (; i < m; i++) row1x1(k, a, aOff + i * aRow, aCol, b, bOff + j, ldb, c, cOff + i * ldc + j, accumulate, lanes);
        }
    }

    /** {@link #multiply} when {@code vector}, else {@link #multiplyScalar}: the switch layers use to test one path against the other. */
    public static void multiply(boolean vector, int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        if (vector) multiply(m, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
        else scalar(m, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    /** The scalar reference: the same fma sequence per element. */
    public static void multiplyScalar(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                                      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        scalar(m, n, k, a, aOff, aRow, aCol, b, bOff, ldb, c, cOff, ldc, accumulate);
    }

    private static void scalar(int m, int n, int k, float[] a, int aOff, int aRow, int aCol,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = accumulate ? c[cOff + i * ldc + j] : 0f;
                int ai = aOff + i * aRow;
                for (int p = 0; p < k; p++) s = Math.fma(a[ai + p * aCol], b[bOff + p * ldb + j], s);
                c[cOff + i * ldc + j] = s;
            }
        }
    }

    /** One row × one vector of C; {@code valid} lanes of it (the mask is made here: passed in, it would be boxed). */
    private static void row1x1(int k, float[] a, int ai, int aCol, float[] b, int bj, int ldb, float[] c, int cij, boolean accumulate,
                               int valid) {
        VectorMask<Float> lanes = S.indexInRange(0, valid);
        FloatVector acc = accumulate ? FloatVector.fromArray(S, c, cij, lanes) : FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            acc = FloatVector.fromArray(S, b, bj + p * ldb, lanes).fma(FloatVector.broadcast(S, a[ai + p * aCol]), acc);
        }
        acc.intoArray(c, cij, lanes);
    }

    private static void block4x1(int k, float[] a, int ai, int aRow, int aCol, float[] b, int bj, int ldb,
                                 float[] c, int cij, int ldc, boolean accumulate, int valid) {
        VectorMask<Float> lanes = S.indexInRange(0, valid);
        FloatVector c0, c1, c2, c3;
        if (accumulate) {
            c0 = FloatVector.fromArray(S, c, cij, lanes);
            c1 = FloatVector.fromArray(S, c, cij + ldc, lanes);
            c2 = FloatVector.fromArray(S, c, cij + 2 * ldc, lanes);
            c3 = FloatVector.fromArray(S, c, cij + 3 * ldc, lanes);
        } else {
            c0 = c1 = c2 = c3 = FloatVector.zero(S);
        }
        for (int p = 0; p < k; p++) {
            FloatVector bv = FloatVector.fromArray(S, b, bj + p * ldb, lanes);
            int ap = ai + p * aCol;
            c0 = bv.fma(FloatVector.broadcast(S, a[ap]), c0);
            c1 = bv.fma(FloatVector.broadcast(S, a[ap + aRow]), c1);
            c2 = bv.fma(FloatVector.broadcast(S, a[ap + 2 * aRow]), c2);
            c3 = bv.fma(FloatVector.broadcast(S, a[ap + 3 * aRow]), c3);
        }
        c0.intoArray(c, cij, lanes);
        c1.intoArray(c, cij + ldc, lanes);
        c2.intoArray(c, cij + 2 * ldc, lanes);
        c3.intoArray(c, cij + 3 * ldc, lanes);
    }

    private static void block4x3(int k, float[] a, int ai, int aRow, int aCol, float[] b, int bj, int ldb,
                                 float[] c, int cij, int ldc, boolean accumulate) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, cij); c01 = FloatVector.fromArray(S, c, cij + L); c02 = FloatVector.fromArray(S, c, cij + 2 * L);
            int r = cij + ldc;
            c10 = FloatVector.fromArray(S, c, r); c11 = FloatVector.fromArray(S, c, r + L); c12 = FloatVector.fromArray(S, c, r + 2 * L);
            r += ldc;
            c20 = FloatVector.fromArray(S, c, r); c21 = FloatVector.fromArray(S, c, r + L); c22 = FloatVector.fromArray(S, c, r + 2 * L);
            r += ldc;
            c30 = FloatVector.fromArray(S, c, r); c31 = FloatVector.fromArray(S, c, r + L); c32 = FloatVector.fromArray(S, c, r + 2 * L);
        } else {
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = FloatVector.zero(S);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            int ap = ai + p * aCol;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02);
            x = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12);
            x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22);
            x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32);
        }
        c00.intoArray(c, cij); c01.intoArray(c, cij + L); c02.intoArray(c, cij + 2 * L);
        int r = cij + ldc;
        c10.intoArray(c, r); c11.intoArray(c, r + L); c12.intoArray(c, r + 2 * L);
        r += ldc;
        c20.intoArray(c, r); c21.intoArray(c, r + L); c22.intoArray(c, r + 2 * L);
        r += ldc;
        c30.intoArray(c, r); c31.intoArray(c, r + L); c32.intoArray(c, r + 2 * L);
    }

    /** {@link #block4x3} four vectors wide: 16 accumulators, 16 FMAs per 4 loads of B and 4 broadcasts of A. */
    private static void block4x4(int k, float[] a, int ai, int aRow, int aCol, float[] b, int bj, int ldb,
                                 float[] c, int cij, int ldc, boolean accumulate) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (accumulate) {
            int r = cij;
            c00 = FloatVector.fromArray(S, c, r); c01 = FloatVector.fromArray(S, c, r + L); c02 = FloatVector.fromArray(S, c, r + 2 * L); c03 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c10 = FloatVector.fromArray(S, c, r); c11 = FloatVector.fromArray(S, c, r + L); c12 = FloatVector.fromArray(S, c, r + 2 * L); c13 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c20 = FloatVector.fromArray(S, c, r); c21 = FloatVector.fromArray(S, c, r + L); c22 = FloatVector.fromArray(S, c, r + 2 * L); c23 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c30 = FloatVector.fromArray(S, c, r); c31 = FloatVector.fromArray(S, c, r + L); c32 = FloatVector.fromArray(S, c, r + 2 * L); c33 = FloatVector.fromArray(S, c, r + 3 * L);
        } else {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = FloatVector.zero(S);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * L);
            int ap = ai + p * aCol;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
        }
        int r = cij;
        c00.intoArray(c, r); c01.intoArray(c, r + L); c02.intoArray(c, r + 2 * L); c03.intoArray(c, r + 3 * L);
        r += ldc;
        c10.intoArray(c, r); c11.intoArray(c, r + L); c12.intoArray(c, r + 2 * L); c13.intoArray(c, r + 3 * L);
        r += ldc;
        c20.intoArray(c, r); c21.intoArray(c, r + L); c22.intoArray(c, r + 2 * L); c23.intoArray(c, r + 3 * L);
        r += ldc;
        c30.intoArray(c, r); c31.intoArray(c, r + L); c32.intoArray(c, r + 2 * L); c33.intoArray(c, r + 3 * L);
    }

    /** {@link #block4x3} two vectors wide, for the columns a 3-vector panel leaves. */
    private static void block4x2(int k, float[] a, int ai, int aRow, int aCol, float[] b, int bj, int ldb,
                                 float[] c, int cij, int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate) {
            int r = cij;
            c00 = FloatVector.fromArray(S, c, r); c01 = FloatVector.fromArray(S, c, r + L);
            r += ldc;
            c10 = FloatVector.fromArray(S, c, r); c11 = FloatVector.fromArray(S, c, r + L);
            r += ldc;
            c20 = FloatVector.fromArray(S, c, r); c21 = FloatVector.fromArray(S, c, r + L);
            r += ldc;
            c30 = FloatVector.fromArray(S, c, r); c31 = FloatVector.fromArray(S, c, r + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            int ap = ai + p * aCol;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
        }
        int r = cij;
        c00.intoArray(c, r); c01.intoArray(c, r + L);
        r += ldc;
        c10.intoArray(c, r); c11.intoArray(c, r + L);
        r += ldc;
        c20.intoArray(c, r); c21.intoArray(c, r + L);
        r += ldc;
        c30.intoArray(c, r); c31.intoArray(c, r + L);
    }

    /** {@link #block4x4} six rows tall: 24 accumulators, 24 FMAs per 4 loads of B and 6 broadcasts of A. */
    private static void block6x4(int k, float[] a, int ai, int aRow, int aCol, float[] b, int bj, int ldb,
                                 float[] c, int cij, int ldc, boolean accumulate) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (accumulate) {
            int r = cij;
            c00 = FloatVector.fromArray(S, c, r); c01 = FloatVector.fromArray(S, c, r + L); c02 = FloatVector.fromArray(S, c, r + 2 * L); c03 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c10 = FloatVector.fromArray(S, c, r); c11 = FloatVector.fromArray(S, c, r + L); c12 = FloatVector.fromArray(S, c, r + 2 * L); c13 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c20 = FloatVector.fromArray(S, c, r); c21 = FloatVector.fromArray(S, c, r + L); c22 = FloatVector.fromArray(S, c, r + 2 * L); c23 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c30 = FloatVector.fromArray(S, c, r); c31 = FloatVector.fromArray(S, c, r + L); c32 = FloatVector.fromArray(S, c, r + 2 * L); c33 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c40 = FloatVector.fromArray(S, c, r); c41 = FloatVector.fromArray(S, c, r + L); c42 = FloatVector.fromArray(S, c, r + 2 * L); c43 = FloatVector.fromArray(S, c, r + 3 * L);
            r += ldc;
            c50 = FloatVector.fromArray(S, c, r); c51 = FloatVector.fromArray(S, c, r + L); c52 = FloatVector.fromArray(S, c, r + 2 * L); c53 = FloatVector.fromArray(S, c, r + 3 * L);
        } else {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = FloatVector.zero(S);
            c30 = c31 = c32 = c33 = c40 = c41 = c42 = c43 = c50 = c51 = c52 = c53 = FloatVector.zero(S);
        }
        for (int p = 0; p < k; p++) {
            int bp = bj + p * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * L);
            int ap = ai + p * aCol;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ap + aRow]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ap + 2 * aRow]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ap + 3 * aRow]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
            x = FloatVector.broadcast(S, a[ap + 4 * aRow]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42); c43 = b3.fma(x, c43);
            x = FloatVector.broadcast(S, a[ap + 5 * aRow]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52); c53 = b3.fma(x, c53);
        }
        int r = cij;
        c00.intoArray(c, r); c01.intoArray(c, r + L); c02.intoArray(c, r + 2 * L); c03.intoArray(c, r + 3 * L);
        r += ldc;
        c10.intoArray(c, r); c11.intoArray(c, r + L); c12.intoArray(c, r + 2 * L); c13.intoArray(c, r + 3 * L);
        r += ldc;
        c20.intoArray(c, r); c21.intoArray(c, r + L); c22.intoArray(c, r + 2 * L); c23.intoArray(c, r + 3 * L);
        r += ldc;
        c30.intoArray(c, r); c31.intoArray(c, r + L); c32.intoArray(c, r + 2 * L); c33.intoArray(c, r + 3 * L);
        r += ldc;
        c40.intoArray(c, r); c41.intoArray(c, r + L); c42.intoArray(c, r + 2 * L); c43.intoArray(c, r + 3 * L);
        r += ldc;
        c50.intoArray(c, r); c51.intoArray(c, r + L); c52.intoArray(c, r + 2 * L); c53.intoArray(c, r + 3 * L);
    }
}
