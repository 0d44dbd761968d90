package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q5_1 ({@code quantize_row_q5_1_ref}): like Q4_1 with 32 levels, d = (max-min)/31. Block: d, m, qh[4], qs[16].
 */
final class Q5_1Quantizer extends GgmlQuantizer {
    Q5_1Quantizer() { super(DType.Q5_1); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / 31;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        putHalf(y, yo + 2, toHalf(min));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            float x0 = (x[xo + j] - min) * id;
            float x1 = (x[xo + 16 + j] - min) * id;
            // ggml converts straight to uint8_t with no clamp to 31; keep its low byte the same way
            int q0 = ((int) (x0 + 0.5f)) & 0xFF;
            int q1 = ((int) (x1 + 0.5f)) & 0xFF;
            y[yo + 8 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >>> 4) << j;
            qh |= ((q1 & 0x10) >>> 4) << (j + 16);
        }
        Q5_0Quantizer.putInt(y, yo + 4, qh);
    }
}
