package dev.quantscope.tensor;

import dev.quantscope.tensor.ggml.GgmlDequantizers;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The element decoder for each dtype. The switch is exhaustive over {@link DType}, so adding a type forces a
 * decision here: a decoder, or "not decodable".
 */
public final class Decoders {
    private Decoders() {}

    /** The decoder for {@code type}, or empty when QuantScope cannot turn it into numbers. */
    public static Optional<ElementDecoder> find(DType type) {
        ElementDecoder d = switch (type) {
            case F32 -> (s, first, dst, off, n) -> {
                MemorySegment.copy(s, Layouts.F32, first * 4, dst, off, n);
            };
            case F64 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = (float) s.getAtIndex(Layouts.F64, first + i);
            };
            case F16 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = Float.float16ToFloat(s.getAtIndex(Layouts.I16, first + i));
            };
            case BF16 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = Float.intBitsToFloat(s.getAtIndex(Layouts.I16, first + i) << 16);
            };
            case I64 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = (float) s.getAtIndex(Layouts.I64, first + i);
            };
            case U64 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = unsignedLongToFloat(s.getAtIndex(Layouts.I64, first + i));
            };
            case I32 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = (float) s.getAtIndex(Layouts.I32, first + i);
            };
            case U32 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = (float) Integer.toUnsignedLong(s.getAtIndex(Layouts.I32, first + i));
            };
            case I16 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = s.getAtIndex(Layouts.I16, first + i);
            };
            case U16 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = Short.toUnsignedInt(s.getAtIndex(Layouts.I16, first + i));
            };
            case I8 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = s.get(Layouts.I8, first + i);
            };
            case U8 -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = Byte.toUnsignedInt(s.get(Layouts.I8, first + i));
            };
            case BOOL -> (s, first, dst, off, n) -> {
                for (int i = 0; i < n; i++) dst[off + i] = s.get(Layouts.I8, first + i) != 0 ? 1f : 0f;
            };
            case F8_E4M3 -> table(MiniFloats.E4M3FN);
            case F8_E5M2 -> table(MiniFloats.E5M2);
            case F8_E4M3FNUZ -> table(MiniFloats.E4M3FNUZ);
            case F8_E5M2FNUZ -> table(MiniFloats.E5M2FNUZ);
            case F8_E8M0 -> table(MiniFloats.E8M0);
            case F4_E2M1 -> nibbles(MiniFloats.E2M1);
            case I4 -> nibbles(new float[] {0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1});
            case U4 -> nibbles(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
            case F6_E2M3, F6_E3M2, C64, C128, STRING -> null;
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K,
                 IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, IQ1_M,
                 TQ1_0, TQ2_0, MXFP4 -> GgmlDequantizers.find(type);
            case Q4_0_4_4, Q4_0_4_8, Q4_0_8_8, IQ4_NL_4_4, IQ4_NL_4_8, IQ4_NL_8_8 -> null;
        };
        return Optional.ofNullable(d);
    }

    /** Decodes every element of {@code t} into a new array. Only for small tensors (tests, previews). */
    public static float[] decodeAll(TensorInfo t) {
        ElementDecoder d = find(t.dtype()).orElseThrow(
                () -> new UnsupportedOperationException(t.name() + ": " + t.dtype() + " is not decodable"));
        long n = t.parameters();
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(t.name() + " is too large to decode at once");
        float[] out = new float[(int) n];
        d.decode(t.data(), 0, out, 0, (int) n);
        return out;
    }

    /** Elements decoded at once by {@link #countZeros}: bounds the buffer, and a multiple of every block size. */
    private static final int ZERO_COUNT_CHUNK = 1 << 16;

    /**
     * How many elements of {@code t} decode to exactly zero (−0.0 too), read a chunk at a time, so any size works.
     * @throws UnsupportedOperationException when its type cannot be decoded
     */
    public static long countZeros(TensorInfo t) {
        ElementDecoder d = find(t.dtype()).orElseThrow(
                () -> new UnsupportedOperationException(t.name() + ": " + t.dtype() + " is not decodable"));
        long n = t.parameters(), zeros = 0;
        float[] buf = new float[(int) Math.min(ZERO_COUNT_CHUNK, Math.max(1, n))];
        for (long first = 0; first < n; first += buf.length) {
            int count = (int) Math.min(buf.length, n - first);
            d.decode(t.data(), first, buf, 0, count);
            for (int i = 0; i < count; i++) if (buf[i] == 0) zeros++;
        }
        return zeros;
    }

    private static ElementDecoder table(float[] lut) {
        return (s, first, dst, off, n) -> {
            for (int i = 0; i < n; i++) dst[off + i] = lut[s.get(Layouts.I8, first + i) & 0xFF];
        };
    }

    /** Two 4-bit elements per byte, the low nibble first (ONNX INT4/UINT4 and FP4). */
    private static ElementDecoder nibbles(float[] lut) {
        return (s, first, dst, off, n) -> {
            for (int i = 0; i < n; i++) {
                long e = first + i;
                int b = s.get(Layouts.I8, e >>> 1) & 0xFF;
                dst[off + i] = lut[(e & 1) == 0 ? b & 0xF : b >>> 4];
            }
        };
    }

    private static float unsignedLongToFloat(long v) {
        return v >= 0 ? (float) v : (float) ((v >>> 1) * 2.0 + (v & 1));
    }
}
