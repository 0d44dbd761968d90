package dev.quantscope.quant.ggml;

import dev.quantscope.tensor.DType;

import java.util.Arrays;

/**
 * Q5_K ({@code quantize_row_q5_K_ref}, which {@code quantize_q5_K} runs without an importance matrix): as Q4_K
 * with levels 0..31 and a narrower scale search. Block: d, dmin, scales[12], qh[32] (fifth bits: level
 * 64*k + j sets bit 2k of qh[j], level 64*k + 32 + j bit 2k+1), qs[128].
 */
final class Q5_KQuantizer extends ScaleMinKQuantizer {
    Q5_KQuantizer() { super(DType.Q5_K, new ScaleMinFit(31, -0.5f, 0.1f, 15)); }

    @Override
    void packLevels(byte[] levels, int lo, byte[] y, int yo) {
        pack(levels, lo, y, yo);
    }

    /** Packs 256 levels (0..31) into qh at {@code y[yo+16]} and qs at {@code y[yo+48]}. (levels of one block, from the first). */
    static void pack(byte[] L, byte[] y, int yo) {
        pack(L, 0, y, yo);
    }

    /** The same, for the block whose levels start at {@code lo}. */
    static void pack(byte[] levels, int lo, byte[] y, int yo) {
        int qh = yo + 16;
        int ql = yo + 48;
        Arrays.fill(y, qh, qh + 32, (byte) 0);
        int m1 = 1, m2 = 2;
        for (int n = 0; n < 256; n += 64) {
            for (int j = 0; j < 32; ++j) {
                int l1 = levels[lo + n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    y[qh + j] |= (byte) m1;
                }
                int l2 = levels[lo + n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    y[qh + j] |= (byte) m2;
                }
                y[ql + j] = (byte) (l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }
}
