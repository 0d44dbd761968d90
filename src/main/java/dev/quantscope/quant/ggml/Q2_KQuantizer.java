package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.fromHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.nearestInt;
import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q2_K ({@code quantize_row_q2_K_ref}, which {@code quantize_q2_K} runs without an importance matrix): 16 groups
 * of 16, each fitted with {@code make_qkx2_quants} (levels 0..3 and a minimum, |x|-weighted absolute error),
 * group scales and minimums quantized to 4 bits against the largest of each, then every level re-derived
 * from the stored scales. Block: scales[16] (scale low nibble, min high nibble), qs[64], d, dmin.
 */
final class Q2_KQuantizer extends GgmlQuantizer {
    private final byte[] levels = new byte[256];
    private final byte[] laux = new byte[16];
    private final float[] weights = new float[16];
    private final float[] mins = new float[16];
    private final float[] scales = new float[16];
    private final int[] packedScales = new int[16];

    Q2_KQuantizer() { super(DType.Q2_K); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        final float q4scale = 15.f;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 16; ++j) {
            for (int l = 0; l < 16; ++l) weights[l] = Math.abs(x[xo + 16 * j + l]);
            scales[j] = ScaleSearch.makeQkx2Quants(16, 3, x, xo + 16 * j, weights, levels, 16 * j, mins, j, laux,
                    -0.5f, 0.1f, 15, true);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }

        short d;
        if (maxScale > 0) {
            float iscale = q4scale / maxScale;
            for (int j = 0; j < 16; ++j) packedScales[j] = nearestInt(iscale * scales[j]) & 0xFF;
            d = toHalf(maxScale / q4scale);
        } else {
            for (int j = 0; j < 16; ++j) packedScales[j] = 0;
            d = toHalf(0.f);
        }
        short dmin;
        if (maxMin > 0) {
            float iscale = q4scale / maxMin;
            for (int j = 0; j < 16; ++j) {
                int l = nearestInt(iscale * mins[j]);
                packedScales[j] = (packedScales[j] | (l << 4)) & 0xFF;
            }
            dmin = toHalf(maxMin / q4scale);
        } else {
            dmin = toHalf(0.f);
        }

        float dAll = fromHalf(d);
        float dminAll = fromHalf(dmin);
        for (int j = 0; j < 16; ++j) {
            float dl = dAll * (packedScales[j] & 0xF);
            if (dl == 0f) continue;
            float ml = dminAll * (packedScales[j] >> 4);
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt((x[xo + 16 * j + ii] + ml) / dl);
                levels[16 * j + ii] = (byte) Math.max(0, Math.min(3, l));
            }
        }

        for (int j = 0; j < 16; ++j) y[yo + j] = (byte) packedScales[j];
        KPacking.pack2Bit(levels, y, yo + 16);
        putHalf(y, yo + 80, d);
        putHalf(y, yo + 82, dmin);
    }
}
