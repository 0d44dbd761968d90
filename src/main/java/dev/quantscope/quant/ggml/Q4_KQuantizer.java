package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

/**
 * Q4_K ({@code quantize_row_q4_K_ref}, which {@code quantize_q4_K} runs without an importance matrix): eight
 * groups of 32 fitted with {@code make_qkx2_quants} (levels 0..15 and a minimum, weights rms + |x|), 6-bit group
 * scales and minimums, levels re-derived from the stored values. Block: d, dmin, scales[12], qs[128].
 */
final class Q4_KQuantizer extends ScaleMinKQuantizer {
    Q4_KQuantizer() { super(DType.Q4_K, new ScaleMinFit(15, -1.f, 0.1f, 20)); }

    @Override
    void packLevels(byte[] levels, int lo, byte[] y, int yo) {
        pack(levels, lo, y, yo);
    }

    /** Packs 256 levels (0..15) into qs at {@code y[yo+16]}: per 64, level l low nibble, level l+32 high nibble. (levels of one block, from the first). */
    static void pack(byte[] L, byte[] y, int yo) {
        pack(L, 0, y, yo);
    }

    /** The same, for the block whose levels start at {@code lo}. */
    static void pack(byte[] L, int lo, byte[] y, int yo) {
        int q = yo + 16;
        for (int j = lo; j < lo + 256; j += 64) {
            for (int l = 0; l < 32; ++l) y[q + l] = (byte) (L[j + l] | (L[j + l + 32] << 4));
            q += 32;
        }
    }
}
