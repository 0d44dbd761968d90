package dev.quantscope.engine.classifier;

import dev.quantscope.engine.kernel.RowParallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LayerKernelsTest {
    private static final RowParallel POOL = new RowParallel(2);

    @AfterAll
    static void stop() {
        POOL.close();
    }

    /** Values from a few levels (ties in most windows), ±0 and NaNs: the vector path's maxima and argmax are the scalar loop's. */
    @Test
    void vectorMaxPoolMatchesTheScalarLoopBitForBit() {
        SplittableRandom r = new SplittableRandom(3);
        InputShape[] shapes = {new InputShape(3, 28, 28), new InputShape(2, 14, 14), new InputShape(2, 6, 7),
                new InputShape(1, 2, 2), new InputShape(2, 40, 41), new InputShape(1, 35, 66)};
        for (InputShape in : shapes) {
            int batch = 3, n = batch * in.features();
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                int kind = r.nextInt(20);
                x[i] = kind == 0 ? Float.NaN : kind == 1 ? -0f : kind == 2 ? 0f : (r.nextInt(7) - 3) * 0.5f;
            }
            int outs = batch * in.channels() * (in.height() / 2) * (in.width() / 2);
            float[] y0 = new float[outs], y1 = new float[outs];
            int[] a0 = new int[outs], a1 = new int[outs];
            LayerKernels.maxPool(false, x, y0, a0, batch, in, 2, POOL);
            LayerKernels.maxPool(true, x, y1, a1, batch, in, 2, POOL);
            assertArrayEquals(a0, a1, in.toString());
            for (int i = 0; i < outs; i++) assertEquals(Float.floatToRawIntBits(y0[i]), Float.floatToRawIntBits(y1[i]), in + " output " + i);
            LayerKernels.maxPool(true, x, y1, null, batch, in, 2, POOL);
            for (int i = 0; i < outs; i++) assertEquals(Float.floatToRawIntBits(y0[i]), Float.floatToRawIntBits(y1[i]), in + " output " + i);
        }
    }

    @Test
    void maxPoolTakesTheFirstMaximumInRowOrder() {
        InputShape in = new InputShape(1, 2, 4);
        float[] x = {1, 5, 2, 2, 5, 3, 2, Float.NaN};
        for (boolean vector : new boolean[] {false, true}) {
            float[] y = new float[2];
            int[] argmax = new int[2];
            LayerKernels.maxPool(vector, x, y, argmax, 1, in, 2, POOL);
            assertArrayEquals(new int[] {1, 7}, argmax);
            assertArrayEquals(new float[] {5, Float.NaN}, y);
        }
    }

    @Test
    void transposeOfEveryShape() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] s : new int[][] {{1, 1}, {7, 3}, {8, 8}, {17, 33}, {64, 196}, {3, 784}}) {
            int rows = s[0], cols = s[1];
            float[] m = new float[rows * cols + 5], t = new float[rows * cols + 2];
            for (int i = 0; i < m.length; i++) m[i] = (float) r.nextDouble();
            LayerKernels.transpose(m, 5, rows, cols, t, 2);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) assertEquals(m[5 + i * cols + j], t[2 + j * rows + i], rows + "×" + cols);
            }
        }
    }

    /** im2col against its definition, for kernels wider than the image too. */
    @Test
    void im2colIsItsDefinition() {
        SplittableRandom r = new SplittableRandom(5);
        for (InputShape in : new InputShape[] {new InputShape(2, 7, 6), new InputShape(3, 2, 2), new InputShape(1, 1, 1), new InputShape(2, 14, 14)}) {
            for (int k : new int[] {1, 3, 5}) {
                float[] x = new float[3 + in.features()];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble() + 1;
                int hw = in.height() * in.width(), rows = in.channels() * k * k;
                float[] cols = new float[2 + rows * hw];
                java.util.Arrays.fill(cols, Float.NaN);
                LayerKernels.im2col(x, 3, in, k, cols, 2);
                for (int c = 0; c < in.channels(); c++) {
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            for (int h = 0; h < in.height(); h++) {
                                for (int w = 0; w < in.width(); w++) {
                                    int sh = h + ky - k / 2, sw = w + kx - k / 2;
                                    boolean inside = sh >= 0 && sh < in.height() && sw >= 0 && sw < in.width();
                                    float expected = inside ? x[3 + c * hw + sh * in.width() + sw] : 0f;
                                    assertEquals(expected, cols[2 + ((c * k + ky) * k + kx) * hw + h * in.width() + w], in + " k " + k);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
