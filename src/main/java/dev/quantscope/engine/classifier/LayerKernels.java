package dev.quantscope.engine.classifier;

import dev.quantscope.engine.kernel.RowParallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The forward computations of a classifier's layers over a batch laid out NCHW, shared by inference here and by
 * training ({@code dev.quantscope.train.nn}, which adds the backward passes). Each splits its work over the pool so
 * that every output value is computed by the same instructions whatever the split (see {@link Gemm}).
 */
public final class LayerKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Lane indices 0, 2, 4, … then 1, 3, 5, … as the two-table lane selection takes them, and 0, 2, 4, … as ints. */
    private static final float[] EVEN_ODD = new float[2 * F.length()];
    private static final int[] TWICE = new int[F.length()];

    static {
        for (int i = 0; i < F.length(); i++) {
            EVEN_ODD[i] = 2 * i;
            EVEN_ODD[F.length() + i] = 2 * i + 1;
            TWICE[i] = 2 * i;
        }
    }

    private LayerKernels() {}

    /** {@code wT[in×out]} = {@code w[out×in]}ᵀ: the layout in which the dense forward streams contiguous rows. */
    public static void transpose(float[] w, int rows, int cols, float[] wT) {
        transpose(w, 0, rows, cols, wT, 0);
    }

    /**
     * The transpose of the {@code rows × cols} matrix at {@code from} into {@code to} at {@code toOff}: eight source
     * rows at a time, each step reading one element of each (eight sequential streams) and writing eight adjacent
     * ones, so that neither side jumps between cache lines more than it must.
     */
    public static void transpose(float[] from, int fromOff, int rows, int cols, float[] to, int toOff) {
        transpose(from, fromOff, rows, cols, to, toOff, rows);
    }

    /** {@link #transpose} into rows {@code ldTo} apart: {@code to[toOff + c·ldTo + r] = from[fromOff + r·cols + c]}. */
    public static void transpose(float[] from, int fromOff, int rows, int cols, float[] to, int toOff, int ldTo) {
        int r = 0;
        for (; r + 8 <= rows; r += 8) {
            int s0 = fromOff + r * cols, s1 = s0 + cols, s2 = s1 + cols, s3 = s2 + cols;
            int s4 = s3 + cols, s5 = s4 + cols, s6 = s5 + cols, s7 = s6 + cols;
            int d = toOff + r;
            for (int c = 0; c < cols; c++, d += ldTo) {
                to[d] = from[s0 + c];
                to[d + 1] = from[s1 + c];
                to[d + 2] = from[s2 + c];
                to[d + 3] = from[s3 + c];
                to[d + 4] = from[s4 + c];
                to[d + 5] = from[s5 + c];
                to[d + 6] = from[s6 + c];
                to[d + 7] = from[s7 + c];
            }
        }
        for (; r < rows; r++) {
            int base = fromOff + r * cols;
            for (int c = 0; c < cols; c++) to[toOff + c * ldTo + r] = from[base + c];
        }
    }

    /** {@code y[batch×out] = x[batch×in] · wT[in×out] + bias}, rows of the batch split over the pool. */
    public static void dense(float[] x, float[] wT, float[] bias, float[] y, int batch, int in, int out, RowParallel pool) {
        dense(true, x, wT, bias, y, batch, in, out, pool);
    }

    /** {@link #dense} through the vector kernel or the scalar reference. */
    public static void dense(boolean vector, float[] x, float[] wT, float[] bias, float[] y, int batch, int in, int out, RowParallel pool) {
        pool.forRange(batch, 4, (s, e) -> {
            for (int b = s; b < e; b++) System.arraycopy(bias, 0, y, b * out, out);
            Gemm.multiply(vector, e - s, out, in, x, s * in, in, 1, wT, 0, out, y, s * out, out, true);
        });
    }

    /**
     * A stride-1 convolution with zero "same" padding: for each example, its im2col matrix {@code cols[C·k·k × H·W]}
     * (kept, as training needs it again for the weight gradient), then {@code y = w[cout × C·k·k] · cols + bias}.
     * Examples split over the pool.
     */
    public static void conv(float[] x, float[] w, float[] bias, float[] y, float[] cols, int batch, InputShape in,
                            int cout, int kernel, RowParallel pool) {
        conv(true, x, w, bias, y, cols, batch, in, cout, kernel, pool);
    }

    /** {@link #conv} through the vector kernel or the scalar reference. */
    public static void conv(boolean vector, float[] x, float[] w, float[] bias, float[] y, float[] cols, int batch, InputShape in,
                            int cout, int kernel, RowParallel pool) {
        int hw = in.height() * in.width();
        int ckk = in.channels() * kernel * kernel;
        int inSize = in.features(), colSize = ckk * hw, outSize = cout * hw;
        pool.forRange(batch, 1, (s, e) -> {
            for (int b = s; b < e; b++) convExample(vector, x, b, w, bias, y, cols, b * colSize, in, cout, kernel);
        });
    }

    /** {@link #conv} of example {@code b} alone, its im2col matrix written to {@code cols} at {@code colOff}. */
    public static void convExample(boolean vector, float[] x, int b, float[] w, float[] bias, float[] y, float[] cols, int colOff,
                                   InputShape in, int cout, int kernel) {
        int hw = in.height() * in.width(), ckk = in.channels() * kernel * kernel, yo = b * cout * hw;
        im2col(x, b * in.features(), in, kernel, cols, colOff);
        for (int o = 0; o < cout; o++) java.util.Arrays.fill(y, yo + o * hw, yo + (o + 1) * hw, bias[o]);
        Gemm.multiply(vector, cout, hw, ckk, w, 0, ckk, 1, cols, colOff, hw, y, yo, hw, true);
    }

    /**
     * {@code cols[(c·k + ky)·k + kx][h·W + w] = x[c][h + ky − k/2][w + kx − k/2]}, zero outside the image. Each row of
     * cols is the channel's plane shifted by {@code (ky − k/2)·W + kx − k/2}: one copy of the rows that stay inside,
     * then zeros over the columns the shift carried across a row's edge and the rows it carried off the image (in
     * place of a copy per image row: 14-float copies for the CNN's second convolution).
     */
    public static void im2col(float[] x, int xOff, InputShape in, int kernel, float[] cols, int colOff) {
        int height = in.height(), width = in.width(), pad = kernel / 2, hw = height * width;
        int row = colOff;
        for (int c = 0; c < in.channels(); c++) {
            int plane = xOff + c * hw;
            for (int ky = 0; ky < kernel; ky++) {
                int dy = ky - pad, hFrom = Math.max(0, -dy), hTo = Math.min(height, height - dy);
                for (int kx = 0; kx < kernel; kx++, row += hw) {
                    int dx = kx - pad, wFrom = Math.max(0, -dx), wTo = Math.min(width, width - dx);
                    if (hFrom >= hTo || wFrom >= wTo) {
                        java.util.Arrays.fill(cols, row, row + hw, 0f);
                        continue;
                    }
                    java.util.Arrays.fill(cols, row, row + hFrom * width + wFrom, 0f);
                    int from = row + hFrom * width + wFrom, to = row + (hTo - 1) * width + wTo;
                    System.arraycopy(x, plane + (hFrom + dy) * width + wFrom + dx, cols, from, to - from);
                    java.util.Arrays.fill(cols, to, row + hw, 0f);
                    for (int h = hFrom; h < hTo; h++) {
                        int r = row + h * width;
                        for (int w = 0; w < wFrom; w++) cols[r + w] = 0f;
                        for (int w = wTo; w < width; w++) cols[r + w] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Max pooling over size × size windows with stride size; {@code argmax}, when not null, receives each output's
     * input index (the first maximum in row order, as PyTorch), which the backward pass routes the gradient to.
     */
    public static void maxPool(float[] x, float[] y, int[] argmax, int batch, InputShape in, int size, RowParallel pool) {
        int height = in.height(), width = in.width(), oh = height / size, ow = width / size;
        int planes = Math.multiplyExact(batch, in.channels());
        if (size == 2) {
            pool.forRange(planes, 8, (s, e) -> maxPool2(x, y, argmax, s, e, height, width));
            return;
        }
        pool.forRange(planes, 8, (s, e) -> {
            for (int pl = s; pl < e; pl++) {
                int xi = pl * height * width, yi = pl * oh * ow;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int best = xi + i * size * width + j * size;
                        float max = x[best];
                        for (int dy = 0; dy < size; dy++) {
                            for (int dx = 0; dx < size; dx++) {
                                int idx = xi + (i * size + dy) * width + j * size + dx;
                                if (x[idx] > max || (Float.isNaN(x[idx]) && !Float.isNaN(max))) {
                                    max = x[idx];
                                    best = idx;
                                }
                            }
                        }
                        y[yi + i * ow + j] = max;
                        if (argmax != null) argmax[yi + i * ow + j] = best;
                    }
                }
            }
        });
    }

    /**
     * {@link #maxPool} through the vector path when {@code vector} and the windows are 2 × 2, else the scalar loops:
     * the same maxima and argmax, bit for bit.
     */
    public static void maxPool(boolean vector, float[] x, float[] y, int[] argmax, int batch, InputShape in, int size,
                               RowParallel pool) {
        if (!vector || size != 2) {
            maxPool(x, y, argmax, batch, in, size, pool);
            return;
        }
        int height = in.height(), width = in.width();
        pool.forRange(Math.multiplyExact(batch, in.channels()), 8, (s, e) -> maxPool2Vector(x, y, argmax, s, e, height, width));
    }

    /**
     * {@link #maxPool2} a vector of outputs at a time, along each output row: two vectors of each input row
     * deinterleaved into the windows' left and right inputs (a two-table lane selection), then the scalar loop's
     * comparisons lane by lane (b, c, d each replace the maximum when greater, or when NaN over a number), so the
     * maximum and its index are the first in row order, as there.
     */
    private static void maxPool2Vector(float[] x, float[] y, int[] argmax, int from, int to, int height, int width) {
        int oh = height / 2, ow = width / 2, lanes = F.length();
        for (int pl = from; pl < to; pl++) {
            int xi = pl * height * width, yi = pl * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xi + 2 * i * width, out = yi + i * ow;
                for (int j = 0; j < ow; j += lanes) {
                    int n = 2 * Math.min(lanes, ow - j), at0 = r0 + 2 * j;
                    // loaded here rather than once per call: vectors live across the whole loop were boxed (measured)
                    FloatVector even = FloatVector.fromArray(F, EVEN_ODD, 0), odd = FloatVector.fromArray(F, EVEN_ODD, lanes);
                    VectorMask<Float> lo = F.indexInRange(0, n), hi = F.indexInRange(lanes, n);
                    FloatVector l = FloatVector.fromArray(F, x, at0, lo), h = FloatVector.fromArray(F, x, at0 + lanes, hi);
                    FloatVector max = even.selectFrom(l, h), b = odd.selectFrom(l, h);
                    l = FloatVector.fromArray(F, x, at0 + width, lo);
                    h = FloatVector.fromArray(F, x, at0 + width + lanes, hi);
                    FloatVector c = even.selectFrom(l, h), d = odd.selectFrom(l, h);
                    IntVector at = IntVector.zero(I);
                    VectorMask<Float> wins = b.compare(VectorOperators.GT, max).or(b.test(VectorOperators.IS_NAN).andNot(max.test(VectorOperators.IS_NAN)));
                    max = max.blend(b, wins);
                    at = at.blend(1, wins.cast(I));
                    wins = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN).andNot(max.test(VectorOperators.IS_NAN)));
                    max = max.blend(c, wins);
                    at = at.blend(width, wins.cast(I));
                    wins = d.compare(VectorOperators.GT, max).or(d.test(VectorOperators.IS_NAN).andNot(max.test(VectorOperators.IS_NAN)));
                    max = max.blend(d, wins);
                    at = at.blend(width + 1, wins.cast(I));
                    VectorMask<Float> valid = F.indexInRange(j, ow);
                    max.intoArray(y, out + j, valid);
                    if (argmax != null) IntVector.fromArray(I, TWICE, 0).add(at0).add(at).intoArray(argmax, out + j, valid.cast(I));
                }
            }
        }
    }

    /**
     * 2 × 2 windows, the common case, without the general loop's bookkeeping; the same first maximum in row order
     * (a NaN wins, as in the general loop).
     */
    private static void maxPool2(float[] x, float[] y, int[] argmax, int from, int to, int height, int width) {
        int oh = height / 2, ow = width / 2;
        for (int pl = from; pl < to; pl++) {
            int xi = pl * height * width, yi = pl * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xi + 2 * i * width, r1 = r0 + width, out = yi + i * ow;
                for (int j = 0; j < ow; j++) {
                    int i0 = r0 + 2 * j;
                    float a = x[i0], b = x[i0 + 1], c = x[r1 + 2 * j], d = x[r1 + 2 * j + 1];
                    int best = i0;
                    float max = a;
                    // selects rather than branches (the winner is random on real data); a NaN is kept once it wins
                    best = b > max || (b != b && max == max) ? i0 + 1 : best;
                    max = b > max || (b != b && max == max) ? b : max;
                    best = c > max || (c != c && max == max) ? r1 + 2 * j : best;
                    max = c > max || (c != c && max == max) ? c : max;
                    best = d > max || (d != d && max == max) ? r1 + 2 * j + 1 : best;
                    max = d > max || (d != d && max == max) ? d : max;
                    y[out + j] = max;
                    if (argmax != null) argmax[out + j] = best;
                }
            }
        }
    }

    public static void relu(float[] x, float[] y, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) FloatVector.fromArray(F, x, i).max(zero).intoArray(y, i);
        for (; i < n; i++) y[i] = Math.max(0f, x[i]);
    }

    /** The scalar reference of {@link #relu}. */
    public static void reluScalar(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = Math.max(0f, x[i]);
    }

    public static void gelu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = (float) Gaussian.gelu(x[i]);
    }

    /** Batch norm with given statistics (inference: the running ones): {@code y = γ (x − mean) / √(var + ε) + β} per channel. */
    public static void batchNorm(float[] x, float[] y, int batch, int channels, int spatial, float[] gamma, float[] beta,
                                 float[] mean, float[] var, double eps) {
        for (int c = 0; c < channels; c++) {
            float scale = (float) (gamma[c] / Math.sqrt(var[c] + eps));
            float shift = beta[c] - mean[c] * scale;
            for (int b = 0; b < batch; b++) {
                int o = (b * channels + c) * spatial;
                for (int i = 0; i < spatial; i++) y[o + i] = x[o + i] * scale + shift;
            }
        }
    }
}
