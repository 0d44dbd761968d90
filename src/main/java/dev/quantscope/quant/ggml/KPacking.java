package dev.quantscope.quant.ggml;

/** Bit layouts shared by several k-quant blocks. */
final class KPacking {
    private KPacking() {}

    /**
     * ggml's 2-bit plane layout (Q2_K and the low bits of Q3_K): per 128 levels, 32 bytes where byte l holds
     * levels l, l+32, l+64, l+96 in bit pairs 0, 2, 4, 6. Levels must already be in 0..3.
     */
    static void pack2Bit(byte[] L, byte[] y, int yo) {
        for (int j = 0; j < 256; j += 128) {
            for (int l = 0; l < 32; ++l) {
                y[yo + j / 4 + l] = (byte) (L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4)
                        | (L[j + l + 96] << 6));
            }
        }
    }

    /**
     * The 12-byte scale/min table of Q4_K and Q5_K: eight 6-bit scales and eight 6-bit minimums, the first
     * four of each in bytes 0..7, the last four split into low nibbles (bytes 8..11) and top bits (bits 6..7 of
     * bytes 0..7).
     */
    static void packScaleMin(int[] ls, int[] lm, byte[] y, int yo) {
        for (int j = 0; j < 8; ++j) {
            if (j < 4) {
                y[yo + j] = (byte) ls[j];
                y[yo + j + 4] = (byte) lm[j];
            } else {
                y[yo + j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                y[yo + j - 4] |= (byte) ((ls[j] >> 4) << 6);
                y[yo + j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
    }

    /** ggml's {@code get_scale_min_k4}: reads back scale {@code j} of a packed table. */
    static int scaleK4(int j, byte[] q, int qo) {
        return j < 4 ? q[qo + j] & 63 : (q[qo + j + 4] & 0xF) | (((q[qo + j - 4] & 0xFF) >> 6) << 4);
    }

    /** ggml's {@code get_scale_min_k4}: reads back minimum {@code j} of a packed table. */
    static int minK4(int j, byte[] q, int qo) {
        return j < 4 ? q[qo + j + 4] & 63 : ((q[qo + j + 4] & 0xFF) >> 4) | (((q[qo + j] & 0xFF) >> 6) << 4);
    }
}
