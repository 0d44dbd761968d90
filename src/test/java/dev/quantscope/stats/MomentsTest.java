package dev.quantscope.stats;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MomentsTest {
    private static Moments direct(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i];
        double c = s / (to - from);
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        for (int i = from; i < to; i++) {
            double d = x[i] - c;
            s1 += d; s2 += d * d; s3 += d * d * d; s4 += d * d * d * d;
        }
        return Moments.ofCenteredSums(to - from, c, s1, s2, s3, s4);
    }

    @Test
    void mergingUnevenPartsEqualsTheWhole() {
        Random r = new Random(9);
        double[] x = new double[10_000];
        for (int i = 0; i < x.length; i++) x[i] = 5 + Math.exp(r.nextGaussian()); // skewed, offset
        Moments whole = direct(x, 0, x.length);
        int[] cuts = {0, 1, 17, 3000, 3001, 9000, x.length};
        Moments merged = new Moments();
        for (int i = 0; i + 1 < cuts.length; i++) merged.merge(direct(x, cuts[i], cuts[i + 1]));
        assertEquals(whole.n, merged.n);
        assertEquals(whole.mean, merged.mean, 1e-13 * whole.mean);
        assertEquals(whole.m2, merged.m2, 1e-11 * whole.m2);
        assertEquals(whole.m3, merged.m3, 1e-10 * Math.abs(whole.m3));
        assertEquals(whole.m4, merged.m4, 1e-10 * whole.m4);
        assertTrue(whole.m3 > 0, "log-normal is right-skewed");
    }

    @Test
    void uniformHasKnownKurtosis() {
        double[] x = new double[100_001];
        for (int i = 0; i < x.length; i++) x[i] = i / 100_000.0;
        Moments m = direct(x, 0, x.length);
        assertEquals(-1.2, m.excessKurtosis(), 1e-4);
        assertEquals(Math.sqrt(1 / 12.0), m.std(), 1e-5);
    }
}
