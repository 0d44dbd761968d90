package dev.quantscope.quant.preview;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;

import java.lang.foreign.MemorySegment;

/**
 * Quantize, then dequantize: the values a tensor holds after it has been stored under a {@link Target}. Block types
 * go through the byte-exact ggml quantizers and the ggml dequantizers, so the values are exactly the ones a
 * quantized GGUF file would give back.
 */
public final class RoundTrip {
    private RoundTrip() {}

    /** {@code x} (whole rows of {@code rowLength}) as stored under {@code target} and read back. */
    public static float[] apply(Target target, float[] x, int rowLength) {
        return switch (target) {
            case Target.Unchanged _ -> x.clone();
            case Target.Stored s -> stored(s.type(), x, rowLength);
        };
    }

    private static float[] stored(DType type, float[] x, int rowLength) {
        float[] out = new float[x.length];
        switch (type) {
            case F32 -> System.arraycopy(x, 0, out, 0, x.length);
            case F16 -> {
                for (int i = 0; i < x.length; i++) out[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            }
            case BF16 -> {
                for (int i = 0; i < x.length; i++) out[i] = toBf16AndBack(x[i]);
            }
            default -> {
                byte[] bytes = quantize(type, x, rowLength);
                Decoders.find(type).orElseThrow().decode(MemorySegment.ofArray(bytes), 0, out, 0, x.length);
            }
        }
        return out;
    }

    /** ggml's bytes for {@code x} under a block type. */
    public static byte[] quantize(DType type, float[] x, int rowLength) {
        if (rowLength % type.blockElements() != 0) {
            throw new IllegalArgumentException("rows of " + rowLength + " do not fit " + type);
        }
        long bytes = type.byteSize(x.length);
        if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many values at once");
        byte[] out = new byte[(int) bytes];
        GgmlQuantizer.create(type).quantize(x, 0, x.length, out, 0);
        return out;
    }

    /** Round to nearest even on the 16 bits BF16 keeps, as ggml's fp32→bf16 does; NaN stays a quiet NaN. */
    static float toBf16AndBack(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return Float.intBitsToFloat((bits | 0x0040_0000) & 0xFFFF_0000);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF_0000);
    }
}
