package dev.quantscope.quant.ggml;

/**
 * The scalar primitives ggml's quantizers are built on, reproduced bit for bit. Java's float arithmetic is
 * IEEE binary32 with round-to-nearest-even and no implicit widening or fused multiply-add, which is exactly
 * what ggml's C code does on x86-64 (SSE, FLT_EVAL_METHOD 0) when the compiler does not contract a*b+c.
 */
final class GgmlFloats {
    private GgmlFloats() {}

    /** 1.5 * 2^23: adding it pushes the fraction bits out so that the FPU's own rounding does the work. */
    private static final float MAGIC = 12582912f;

    /**
     * ggml's {@code nearest_int}: round half to even via the magic-number trick, for |f| below 2^22. ggml only
     * asserts that range in debug builds, so outside it we return the same (meaningless) bits ggml would.
     */
    static int nearestInt(float f) {
        float v = f + MAGIC;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    /**
     * C's {@code roundf}/{@code lroundf}: halves round away from zero. Done in double, where adding 0.5 to any
     * float is exact, so that 0.49999997f does not round up as it would with a float addition.
     */
    static float roundHalfAway(float f) {
        double a = Math.floor(Math.abs((double) f) + 0.5);
        return (float) Math.copySign(a, f);
    }

    /** {@code GGML_FP32_TO_FP16}: round to nearest even (JDK's conversion is the IEEE one, as is ggml's). */
    static short toHalf(float f) {
        return Float.floatToFloat16(f);
    }

    /** {@code GGML_FP16_TO_FP32}: exact. */
    static float fromHalf(short h) {
        return Float.float16ToFloat(h);
    }

    /** Reads a half written by {@link #putHalf}. */
    static short getHalf(byte[] src, int off) {
        return (short) ((src[off] & 0xFF) | (src[off + 1] << 8));
    }

    /** Writes a half little-endian, as ggml's structs lay it out on every platform it ships for. */
    static void putHalf(byte[] dst, int off, short h) {
        dst[off] = (byte) h;
        dst[off + 1] = (byte) (h >>> 8);
    }
}
