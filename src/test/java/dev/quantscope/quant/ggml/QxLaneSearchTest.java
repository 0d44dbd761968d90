package dev.quantscope.quant.ggml;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The lane-parallel make_qx_quants (Q6_K) against the scalar one, group by group, on awkward data. */
class QxLaneSearchTest {

    @Test
    void everyGroupMatchesTheScalarSearchBitForBit() {
        SplittableRandom rnd = new SplittableRandom(23);
        QxLaneSearch lanes = new QxLaneSearch(32);
        int groups = 0;
        for (int b = 0; b < 4000; b++) {
            float[] x = block(rnd, b);
            byte[] L = new byte[256];
            float[] scales = new float[16];
            lanes.search(x, 0, L, scales);
            for (int j = 0; j < 16; j++) {
                byte[] refL = new byte[16];
                float refScale = ScaleSearch.makeQxQuants(16, 32, x, 16 * j, refL, 0, null, 0);
                String what = "block " + b + " group " + j + " " + Arrays.toString(Arrays.copyOfRange(x, 16 * j, 16 * j + 16));
                assertEquals(Float.floatToRawIntBits(refScale), Float.floatToRawIntBits(scales[j]), what + " scale");
                assertArrayEquals(refL, Arrays.copyOfRange(L, 16 * j, 16 * j + 16), what + " levels");
                groups++;
            }
        }
        assertEquals(64_000, groups);
    }

    /** Gaussian, outliers, one sign, constants, zeros and negative zeros, tiny and huge values, NaN and infinity. */
    static float[] block(SplittableRandom rnd, int b) {
        float[] x = new float[256];
        for (int j = 0; j < 16; j++) {
            int kind = (b + j * 5 + rnd.nextInt(3)) % 11;
            for (int i = 0; i < 16; i++) {
                double g = rnd.nextGaussian();
                x[16 * j + i] = switch (kind) {
                    case 0 -> (float) (g * 0.02);
                    case 1 -> (float) (g * 0.02 * (rnd.nextInt(12) == 0 ? 30 : 1));
                    case 2 -> (float) Math.abs(g * 0.5) + 0.1f;
                    case 3 -> 0.25f;
                    case 4 -> i % 2 == 0 ? 0f : -0f;
                    case 5 -> (float) (g * 1e-20);
                    case 6 -> (float) -Math.abs(g);
                    case 7 -> (float) (rnd.nextInt(64) - 32) * 0.125f;
                    case 8 -> (float) (g * 1e-16); // around GROUP_MAX_EPS
                    case 9 -> i == 3 ? Float.NaN : (float) g;
                    default -> i == 5 ? (rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY) : (float) (g * 3e4);
                };
            }
        }
        return x;
    }
}
