package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.roundHalfAway;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/** Q8_0 ({@code quantize_row_q8_0_ref}): d = amax/127, q = roundf(x/d). Block: d, qs[32]. */
final class Q8_0Quantizer extends GgmlQuantizer {
    Q8_0Quantizer() { super(DType.Q8_0); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0.0f;
        putHalf(y, yo, toHalf(d));
        for (int j = 0; j < 32; j++) {
            y[yo + 2 + j] = (byte) (int) roundHalfAway(x[xo + j] * id);
        }
    }
}
