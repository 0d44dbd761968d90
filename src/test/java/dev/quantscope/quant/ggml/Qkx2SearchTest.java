package dev.quantscope.quant.ggml;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The lane-parallel make_qkx2_quants against the scalar one, group by group, on awkward data. */
class Qkx2SearchTest {

    @Test
    void everyGroupMatchesTheScalarSearchBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[][] params = {{15, -1f, 0.1f, 20}, {31, -0.5f, 0.1f, 15}}; // Q4_K, Q5_K
        int blocks = 0;
        for (float[] p : params) {
            int nmax = (int) p[0];
            Qkx2Search lanes = new Qkx2Search(nmax, p[1], p[2], (int) p[3]);
            for (int b = 0; b < 3000; b++) {
                // every lane in use, and (when there are more lanes than one block's groups) a lone block
                int groups = b % 3 == 0 ? 8 : Qkx2Search.GROUPS;
                float[] x = new float[32 * groups];
                for (int k = 0; k < groups / 8; k++) System.arraycopy(block(rnd, b + k), 0, x, 256 * k, 256);
                float[] w = new float[x.length];
                for (int i = 0; i < w.length; i++) w[i] = Math.abs(x[i]) + (float) rnd.nextDouble(0.001, 0.1);
                byte[] L = new byte[x.length];
                float[] scales = new float[groups], mins = new float[groups];
                lanes.search(x, 0, groups, w, L, scales, mins);
                for (int j = 0; j < groups; j++) {
                    byte[] refL = new byte[32];
                    float[] refMin = new float[1];
                    float refScale = ScaleSearch.makeQkx2Quants(32, nmax, x, 32 * j, Arrays.copyOfRange(w, 32 * j, 32 * j + 32),
                            refL, 0, refMin, 0, new byte[32], p[1], p[2], (int) p[3], false);
                    String what = "nmax " + nmax + " block " + b + " group " + j;
                    assertEquals(Float.floatToRawIntBits(refScale), Float.floatToRawIntBits(scales[j]), what + " scale");
                    assertEquals(Float.floatToRawIntBits(refMin[0]), Float.floatToRawIntBits(mins[j]), what + " min");
                    assertArrayEquals(refL, Arrays.copyOfRange(L, 32 * j, 32 * j + 32), what + " levels");
                }
                blocks++;
            }
        }
        assertEquals(6000, blocks);
    }

    /** Gaussian, outliers, all positive, constant groups, zeros, negative zeros and tiny values, mixed per group. */
    private static float[] block(SplittableRandom rnd, int b) {
        float[] x = new float[256];
        for (int j = 0; j < 8; j++) {
            int kind = (b + j * 3 + rnd.nextInt(3)) % 8;
            for (int i = 0; i < 32; i++) {
                double g = rnd.nextGaussian();
                x[32 * j + i] = switch (kind) {
                    case 0 -> (float) (g * 0.02);
                    case 1 -> (float) (g * 0.02 * (rnd.nextInt(20) == 0 ? 30 : 1));
                    case 2 -> (float) Math.abs(g * 0.5) + 0.1f;
                    case 3 -> 0.25f;
                    case 4 -> i % 2 == 0 ? 0f : -0f;
                    case 5 -> (float) (g * 1e-20);
                    case 6 -> (float) -Math.abs(g);
                    default -> (float) (rnd.nextInt(16) - 8) * 0.125f;
                };
            }
        }
        return x;
    }
}
