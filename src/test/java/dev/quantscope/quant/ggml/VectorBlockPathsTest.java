package dev.quantscope.quant.ggml;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The vector Q8_0 and Q4_0 blocks against the reference loops, byte for byte, on awkward data. */
class VectorBlockPathsTest {

    private static final int BLOCKS = 60_000;

    @Test
    void q8_0VectorBlocksEqualTheScalarLoop() {
        Q8_0Quantizer q = new Q8_0Quantizer();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int b = 0; b < BLOCKS; b++) {
            float[] x = block(rnd, b, 127f);
            byte[] expected = new byte[34], actual = new byte[34];
            Q8_0Quantizer.quantizeBlockScalar(x, 0, expected, 0);
            q.quantizeBlock(x, 0, actual, 0);
            assertArrayEquals(expected, actual, () -> "Q8_0 " + Arrays.toString(x));
        }
    }

    @Test
    void q4_0VectorBlocksEqualTheScalarLoop() {
        Q4_0Quantizer q = new Q4_0Quantizer();
        SplittableRandom rnd = new SplittableRandom(6);
        for (int b = 0; b < BLOCKS; b++) {
            float[] x = block(rnd, b, 8f);
            byte[] expected = new byte[18], actual = new byte[18];
            Q4_0Quantizer.quantizeBlockScalar(x, 0, expected, 0);
            q.quantizeBlock(x, 0, actual, 0);
            assertArrayEquals(expected, actual, () -> "Q4_0 " + Arrays.toString(x));
        }
    }

    /**
     * Gaussian; blocks whose scale is exactly 1 so that values sit on rounding halves (and one ulp either side);
     * ties for the largest magnitude with either sign first; zeros, negative zeros, subnormals, huge values, NaN
     * and infinities.
     */
    private static float[] block(SplittableRandom rnd, int b, float top) {
        float[] x = new float[32];
        int kind = b % 9;
        for (int i = 0; i < 32; i++) {
            double g = rnd.nextGaussian();
            x[i] = switch (kind) {
                case 0 -> (float) (g * 0.02);
                case 1 -> {
                    float half = (float) (rnd.nextInt(2 * (int) top) - top) + 0.5f;
                    yield switch (rnd.nextInt(3)) {
                        case 0 -> half;
                        case 1 -> Math.nextUp(half);
                        default -> Math.nextDown(half);
                    };
                }
                case 2 -> i % 2 == 0 ? 0f : -0f;
                case 3 -> (float) (g * 1e-42); // subnormal: 1/d overflows
                case 4 -> (float) (g * 1e37);
                case 5 -> i == rnd.nextInt(32) ? Float.NaN : (float) g;
                case 6 -> i == 7 ? (rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY) : (float) g;
                case 7 -> (float) (rnd.nextInt(5) - 2) * 0.25f; // many ties for the extreme
                default -> (float) (g * 1e-30);
            };
        }
        if (kind == 1) x[rnd.nextInt(32)] = rnd.nextBoolean() ? top : -top; // pins the scale at 1 (or -1)
        return x;
    }
}
