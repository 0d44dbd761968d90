package dev.quantscope.quant.scheme;

import dev.quantscope.tensor.MiniFloats;

/**
 * Encoding to a small float format by its decode table: round to nearest, ties to even, saturating at the
 * largest finite value. The non-negative finite codes {@code 0..maxCode} decode to increasing values, so a binary
 * search finds the two neighbours of a magnitude; on a tie the even code wins, which is round-half-to-even of the
 * mantissa (also across exponent boundaries, where the upper neighbour has mantissa 0).
 */
final class MiniFloatGrid {
    /** OCP FP8 E4M3 (FN): largest finite 448 at code 0x7E. */
    static final MiniFloatGrid E4M3 = new MiniFloatGrid(MiniFloats.E4M3FN, 0x7E, 0x80);
    /** OCP FP8 E5M2: largest finite 57344 at code 0x7B (0x7C is infinity). */
    static final MiniFloatGrid E5M2 = new MiniFloatGrid(MiniFloats.E5M2, 0x7B, 0x80);
    /** FP4 E2M1: largest 6 at code 7, sign in bit 3. */
    static final MiniFloatGrid E2M1 = new MiniFloatGrid(MiniFloats.E2M1, 0x7, 0x8);

    private final float[] decode;
    private final int maxCode;
    private final int signBit;

    private MiniFloatGrid(float[] decode, int maxCode, int signBit) {
        this.decode = decode;
        this.maxCode = maxCode;
        this.signBit = signBit;
        for (int c = 1; c <= maxCode; c++) {
            if (!(decode[c] > decode[c - 1])) throw new IllegalStateException("decode table not increasing at " + c);
        }
    }

    float max() { return decode[maxCode]; }

    float decode(int code) { return decode[code]; }

    /** The code of the representable value nearest to {@code v}. */
    int encode(float v) {
        int sign = (v < 0 || (v == 0 && 1 / v < 0)) ? signBit : 0;
        float a = Math.abs(v);
        if (a >= decode[maxCode]) return sign | maxCode;
        int lo = 0;
        int hi = maxCode; // invariant: decode[lo] <= a < decode[hi]
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (decode[mid] <= a) lo = mid; else hi = mid;
        }
        double below = a - (double) decode[lo];
        double above = (double) decode[hi] - a;
        int code = below < above ? lo : above < below ? hi : ((lo & 1) == 0 ? lo : hi);
        return sign | code;
    }
}
