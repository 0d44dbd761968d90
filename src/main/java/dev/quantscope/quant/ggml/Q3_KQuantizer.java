package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import java.util.Arrays;

import static dev.quantscope.quant.ggml.GgmlFloats.fromHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.nearestInt;
import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q3_K ({@code quantize_row_q3_K_ref}, which {@code quantize_q3_K} runs without an importance matrix): 16 groups
 * of 16 fitted with {@code make_q3_quants} (levels -4..3), signed 6-bit group scales against the group scale of
 * largest magnitude (d = that scale / -32), levels re-derived from the stored scales. Block: hmask[32] (third
 * bits), qs[64] (low two bits), scales[12], d.
 */
final class Q3_KQuantizer extends GgmlQuantizer {
    private final byte[] levels = new byte[256];
    private final float[] scales = new float[16];
    private final byte[] packedScales = new byte[12];

    Q3_KQuantizer() { super(DType.Q3_K); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = ScaleSearch.makeQ3Quants(16, 4, x, xo + 16 * j, levels, 16 * j);
            float scale = Math.abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }

        byte[] sc = packedScales;
        Arrays.fill(sc, (byte) 0);
        short d;
        if (maxScale != 0f) {
            float iscale = -32.f / maxScale;
            for (int j = 0; j < 16; ++j) {
                int l = (byte) nearestInt(iscale * scales[j]); // ggml stores into an int8_t first
                l = Math.max(-32, Math.min(31, l)) + 32;
                if (j < 8) {
                    sc[j] = (byte) (l & 0xF);
                } else {
                    sc[j - 8] |= (byte) ((l & 0xF) << 4);
                }
                l >>= 4;
                sc[j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
            }
            d = toHalf(1 / iscale);
        } else {
            d = toHalf(0.f);
        }
        finish(x, xo, sc, d, levels, y, yo);
    }

    /**
     * The end both of ggml's Q3_K quantizers share: levels re-derived from the packed 6-bit scales {@code sc} and
     * {@code d}, then hmask, the 2-bit planes, the scales and d written at {@code y[yo]}.
     */
    static void finish(float[] x, int xo, byte[] sc, short d, byte[] levels, byte[] y, int yo) {
        float dAll = fromHalf(d);
        for (int j = 0; j < 16; ++j) {
            int s = j < 8 ? sc[j] & 0xF : (sc[j - 8] & 0xFF) >> 4;
            s = (s | ((((sc[8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4)) - 32;
            float dl = dAll * s;
            if (dl == 0f) continue;
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt(x[xo + 16 * j + ii] / dl);
                l = Math.max(-4, Math.min(3, l));
                levels[16 * j + ii] = (byte) (l + 4);
            }
        }

        // high bit of level j goes to hmask[j % 32], bit j / 32
        Arrays.fill(y, yo, yo + 32, (byte) 0);
        int m = 0;
        int hm = 1;
        for (int j = 0; j < 256; ++j) {
            if (levels[j] > 3) {
                y[yo + m] |= (byte) hm;
                levels[j] -= 4;
            }
            if (++m == 32) {
                m = 0;
                hm <<= 1;
            }
        }
        KPacking.pack2Bit(levels, y, yo + 32);
        System.arraycopy(sc, 0, y, yo + 96, 12);
        putHalf(y, yo + 108, d);
    }
}
