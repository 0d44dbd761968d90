package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q4_0 ({@code quantize_row_q4_0_ref}): the signed value of largest magnitude maps to -8, d = max/-8, and
 * q = min(15, trunc(x/d + 8.5)). Block: d, qs[16] (element j in the low nibble, j+16 in the high nibble).
 */
final class Q4_0Quantizer extends GgmlQuantizer {
    Q4_0Quantizer() { super(DType.Q4_0); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        for (int j = 0; j < 16; j++) {
            float x0 = x[xo + j] * id;
            float x1 = x[xo + 16 + j] * id;
            // C truncates toward zero converting to int8_t; the sums are never negative here
            int q0 = Math.min(15, (int) (x0 + 8.5f));
            int q1 = Math.min(15, (int) (x1 + 8.5f));
            y[yo + 2 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
