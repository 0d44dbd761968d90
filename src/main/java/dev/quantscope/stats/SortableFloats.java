package dev.quantscope.stats;

/**
 * Maps float bit patterns to unsigned ints whose order is the floats' numeric order (−0.0 just below +0.0),
 * so that order statistics can be found by radix selection on 16-bit halves: exactly, in two passes, whatever
 * the distribution.
 */
final class SortableFloats {
    private SortableFloats() {}

    /** Monotone key of {@code x}, to be compared as an unsigned int. */
    static int key(float x) {
        int b = Float.floatToRawIntBits(x);
        return b ^ ((b >> 31) | 0x80000000);
    }

    static float fromKey(int key) {
        return Float.intBitsToFloat(key < 0 ? key ^ 0x80000000 : ~key);
    }

    /**
     * Whether a key's top 16 bits hold only NaN or infinite values: the exponent is all ones. Every finite float
     * has its high half in (0x007F, 0xFF80).
     */
    static boolean highHalfIsNonFinite(int high) {
        return high <= 0x007F || high >= 0xFF80;
    }
}
