package dev.quantscope.quant.scheme;

/** Rounding of scales to the FP16 values a file stores. */
final class HalfScales {
    private HalfScales() {}

    /**
     * The smallest FP16 value at or above {@code v >= 0}. Integer and FP4 schemes round their scale up rather than
     * to nearest so that the range end never lands beyond the top code and round-to-nearest never clips a weight
     * (to nearest would overshoot by at most 2^-11 of the range: harmless, but then "never clips" needs a proof).
     */
    static float up(float v) {
        if (!(v >= 0) || v > 65504f) throw new IllegalArgumentException("scale " + v + " does not fit FP16");
        short h = Float.floatToFloat16(v);
        float f = Float.float16ToFloat(h);
        if (f < v) f = Float.float16ToFloat((short) (h + 1)); // positive halves are ordered like their bits
        return f;
    }

    /** The FP16 value nearest to {@code v} (ties to even). */
    static float nearest(float v) {
        if (!(Math.abs(v) <= 65504f)) throw new IllegalArgumentException("scale " + v + " does not fit FP16");
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }
}
