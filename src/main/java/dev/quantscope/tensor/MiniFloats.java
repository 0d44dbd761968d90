package dev.quantscope.tensor;

/**
 * Decoding tables for the 8-bit and 4-bit float formats (OCP FP8 E4M3FN / E5M2, their FNUZ variants from ONNX,
 * the E8M0 scale type, and FP4 E2M1). Each is a 256- or 16-entry table built once from the format's definition.
 */
public final class MiniFloats {
    private MiniFloats() {}

    /** FP8 E4M3FN: bias 7, no infinities, S.1111.111 is NaN. */
    public static final float[] E4M3FN = new float[256];
    /** FP8 E5M2: IEEE-like, bias 15, with infinities: the top byte of an IEEE half. */
    public static final float[] E5M2 = new float[256];
    /** FP8 E4M3FNUZ: bias 8, no negative zero; 0x80 is NaN. */
    public static final float[] E4M3FNUZ = new float[256];
    /** FP8 E5M2FNUZ: bias 16, no negative zero; 0x80 is NaN. */
    public static final float[] E5M2FNUZ = new float[256];
    /** E8M0: a power of two, 2^(e-127); 0xFF is NaN. */
    public static final float[] E8M0 = new float[256];
    /** FP4 E2M1: sign, 2 exponent bits (bias 1), 1 mantissa bit. */
    public static final float[] E2M1 = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f};

    static {
        for (int b = 0; b < 256; b++) {
            E4M3FN[b] = (b & 0x7F) == 0x7F ? Float.NaN : small(b, 4, 3, 7);
            E5M2[b] = Float.float16ToFloat((short) (b << 8));
            E4M3FNUZ[b] = b == 0x80 ? Float.NaN : small(b, 4, 3, 8);
            E5M2FNUZ[b] = b == 0x80 ? Float.NaN : small(b, 5, 2, 16);
            E8M0[b] = b == 0xFF ? Float.NaN : (float) Math.scalb(1.0, b - 127);
        }
    }

    /** A finite sign/exponent/mantissa value with subnormals, no special values. */
    private static float small(int bits, int expBits, int manBits, int bias) {
        int sign = (bits >> (expBits + manBits)) & 1;
        int exp = (bits >> manBits) & ((1 << expBits) - 1);
        int man = bits & ((1 << manBits) - 1);
        double v = exp == 0
                ? Math.scalb((double) man / (1 << manBits), 1 - bias)
                : Math.scalb(1.0 + (double) man / (1 << manBits), exp - bias);
        return (float) (sign == 1 ? -v : v);
    }
}
