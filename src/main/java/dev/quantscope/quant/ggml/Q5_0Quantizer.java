package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * Q5_0 ({@code quantize_row_q5_0_ref}): like Q4_0 with 32 levels, d = max/-16. Block: d, qh[4] (the fifth bits,
 * little-endian 32-bit word, bit j for element j), qs[16].
 */
final class Q5_0Quantizer extends GgmlQuantizer {
    Q5_0Quantizer() { super(DType.Q5_0); }

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
        float d = max / -16;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            float x0 = x[xo + j] * id;
            float x1 = x[xo + 16 + j] * id;
            int q0 = Math.min(31, (int) (x0 + 16.5f));
            int q1 = Math.min(31, (int) (x1 + 16.5f));
            y[yo + 6 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >>> 4) << j;
            qh |= ((q1 & 0x10) >>> 4) << (j + 16);
        }
        putInt(y, yo + 2, qh);
    }

    static void putInt(byte[] y, int off, int v) {
        y[off] = (byte) v;
        y[off + 1] = (byte) (v >>> 8);
        y[off + 2] = (byte) (v >>> 16);
        y[off + 3] = (byte) (v >>> 24);
    }
}
