package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q4_1 ({@code quantize_row_q4_1_ref}): d = (max-min)/15, m = min, q = min(15, trunc((x-min)/d + 0.5)).
 * Block: d, m, qs[16].
 */
final class Q4_1Quantizer extends GgmlQuantizer {
    Q4_1Quantizer() { super(DType.Q4_1); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float d = (max - min) / 15;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        putHalf(y, yo + 2, toHalf(min));
        for (int j = 0; j < 16; j++) {
            float x0 = (x[xo + j] - min) * id;
            float x1 = (x[xo + 16 + j] - min) * id;
            int q0 = Math.min(15, (int) (x0 + 0.5f));
            int q1 = Math.min(15, (int) (x1 + 0.5f));
            y[yo + 4 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
