package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

/**
 * Q4_K ({@code quantize_row_q4_K_ref}, which {@code quantize_q4_K} runs without an importance matrix): eight
 * groups of 32 fitted with {@code make_qkx2_quants} (levels 0..15 and a minimum, weights rms + |x|), 6-bit group
 * scales and minimums, levels re-derived from the stored values. Block: d, dmin, scales[12], qs[128].
 */
final class Q4_KQuantizer extends GgmlQuantizer {
    private final ScaleMinFit fit = new ScaleMinFit(15, -1.f, 0.1f, 20);

    Q4_KQuantizer() { super(DType.Q4_K); }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo) {
        fit.quantize(x, xo, y, yo);
        pack(fit.levels, y, yo);
    }

    /** Packs 256 levels (0..15) into qs at {@code y[yo+16]}: per 64, level l low nibble, level l+32 high nibble. */
    static void pack(byte[] L, byte[] y, int yo) {
        int q = yo + 16;
        for (int j = 0; j < 256; j += 64) {
            for (int l = 0; l < 32; ++l) y[q + l] = (byte) (L[j + l] | (L[j + l + 32] << 4));
            q += 32;
        }
    }
}
