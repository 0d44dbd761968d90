package dev.quantscope.train.llama;

import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Central finite differences against an analytic gradient, at a few entries of an array. */
final class GradientCheck {
    private GradientCheck() {}

    /**
     * Perturbs {@code samples} random entries of {@code values} by ±eps and compares (L(+) − L(−)) / 2eps with
     * {@code gradient}, to a tolerance relative to the largest gradient entry of the array (float arithmetic makes
     * an entry-wise relative tolerance meaningless for near-zero entries).
     */
    static void check(String what, float[] values, float[] gradient, DoubleSupplier loss, int samples, long seed) {
        Random rnd = new Random(seed);
        float scale = 0;
        for (float g : gradient) scale = Math.max(scale, Math.abs(g));
        for (int s = 0; s < samples; s++) {
            int i = rnd.nextInt(values.length);
            float saved = values[i];
            float eps = 1e-2f * Math.max(1f, Math.abs(saved));
            values[i] = saved + eps;
            double plus = loss.getAsDouble();
            values[i] = saved - eps;
            double minus = loss.getAsDouble();
            values[i] = saved;
            double numeric = (plus - minus) / (2.0 * eps);
            assertEquals(numeric, gradient[i], 2e-2 * Math.max(scale, 1e-3f),
                    what + "[" + i + "]: finite difference " + numeric + " vs backward " + gradient[i]);
        }
    }

    static float[] random(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextFloat() * 2 - 1) * scale;
        return a;
    }

    static double dot(float[] a, float[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[i] * b[i];
        return s;
    }
}
