package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import static dev.quantscope.quant.ggml.GgmlFloats.putHalf;
import static dev.quantscope.quant.ggml.GgmlFloats.roundHalfAway;
import static dev.quantscope.quant.ggml.GgmlFloats.toHalf;

/**
 * TQ1_0 ({@code quantize_row_tq1_0_ref}): ternary, d = amax, five trits per byte as a base-3 number scaled to
 * 0..255 by a ceiling division (so that a multiply by 3 recovers each trit in the top bits). Elements 0..159:
 * 32 bytes with stride 32; 160..239: 16 bytes with stride 16; 240..255: qh[4], four trits each, stride 4.
 * Block: qs[48], qh[4], d.
 */
final class TQ1_0Quantizer extends GgmlQuantizer {
    TQ1_0Quantizer() { super(DType.TQ1_0); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        float amax = 0.0f;
        for (int j = 0; j < 256; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
        float d = amax;
        float id = d != 0f ? 1.0f / d : 0.0f;

        int src = xo;
        for (int m = 0; m < 32; ++m) y[yo + m] = packTrits(x, src + m, 32, 5, id);
        src += 5 * 32;
        for (int m = 0; m < 16; ++m) y[yo + 32 + m] = packTrits(x, src + m, 16, 5, id);
        src += 5 * 16;
        for (int j = 0; j < 4; ++j) y[yo + 48 + j] = packTrits(x, src + j, 4, 4, id);
        putHalf(y, yo + 52, toHalf(d));
    }

    /** {@code count} trits at stride {@code stride}, first most significant, padded to five, ceil-scaled. */
    private static byte packTrits(float[] x, int first, int stride, int count, float id) {
        int q = 0;
        for (int n = 0; n < count; ++n) {
            int xi = (int) roundHalfAway(x[first + n * stride] * id) + 1; // -1, 0, 1 -> 0, 1, 2
            q = (q * 3 + xi) & 0xFF; // ggml accumulates in a uint8_t
        }
        if (count == 4) q = (q * 3) & 0xFF; // shift the first trit to the most significant place
        q = ((q * 256) + (243 - 1)) / 243;
        return (byte) q;
    }
}
