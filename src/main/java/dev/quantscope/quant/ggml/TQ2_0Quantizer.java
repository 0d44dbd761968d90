package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.roundHalfAway;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * TQ2_0 ({@code quantize_row_tq2_0_ref}): ternary, d = amax, trits -1/0/1 stored as 0..2 in 2-bit fields; per
 * 128 elements, 32 bytes whose byte m holds elements m, m+32, m+64, m+96. Block: qs[64], d.
 */
final class TQ2_0Quantizer extends GgmlQuantizer {
    TQ2_0Quantizer() { super(DType.TQ2_0); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float amax = 0.0f;
        for (int j = 0; j < 256; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax;
        float id = d != 0f ? 1.0f / d : 0.0f;
        for (int j = 0; j < 64; j += 32) {
            int base = xo + 4 * j; // 128 elements per 32 bytes
            for (int m = 0; m < 32; ++m) {
                int q = 0;
                for (int n = 0; n < 4; ++n) {
                    int xi = (int) roundHalfAway(x[base + m + n * 32] * id) + 1;
                    q += (xi & 3) << (2 * n);
                }
                y[yo + j + m] = (byte) q;
            }
        }
        putHalf(y, yo + 64, toHalf(d));
    }
}
