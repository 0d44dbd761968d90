package dev.quantscope.format.safetensors.export;

import dev.quantscope.format.safetensors.SafetensorsDType;

import dev.quantscope.tensor.DType;

import java.nio.ByteBuffer;
import java.util.Optional;

/** The float types a dequantized export stores, each with its exact rounding from float. */
public enum FloatFormat {
    F32(SafetensorsDType.F32, 4),
    /** IEEE half: {@link Float#floatToFloat16}, round to nearest even, overflow to infinity. */
    F16(SafetensorsDType.F16, 2),
    /** bfloat16: the top 16 bits of a float, rounded to nearest even (as PyTorch's {@code .to(torch.bfloat16)}). */
    BF16(SafetensorsDType.BF16, 2);

    private final SafetensorsDType dtype;
    private final int bytes;

    FloatFormat(SafetensorsDType dtype, int bytes) {
        this.dtype = dtype;
        this.bytes = bytes;
    }

    public SafetensorsDType dtype() { return dtype; }

    /** The format that stores {@code type}'s values exactly as they are, if it is one of these three. */
    public static Optional<FloatFormat> of(DType type) {
        return switch (type) {
            case F32 -> Optional.of(F32);
            case F16 -> Optional.of(F16);
            case BF16 -> Optional.of(BF16);
            default -> Optional.empty();
        };
    }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /** Puts {@code count} values from {@code src} into {@code dst} (which must be little-endian). */
    public void encode(float[] src, int offset, int count, ByteBuffer dst) {
        switch (this) {
            case F32 -> { for (int i = 0; i < count; i++) dst.putFloat(src[offset + i]); }
            case F16 -> { for (int i = 0; i < count; i++) dst.putShort(Float.floatToFloat16(src[offset + i])); }
            case BF16 -> { for (int i = 0; i < count; i++) dst.putShort(toBfloat16(src[offset + i])); }
        }
    }

    /**
     * A float as bfloat16 bits, rounded to nearest, ties to even: adding 0x7FFF plus the lowest kept bit carries
     * into the kept half exactly when the dropped half is above the tie, or at the tie with an odd kept half.
     * Overflow rounds to infinity as IEEE rounding does. NaN stays NaN (quieted, sign kept): rounding its
     * payload could otherwise carry it into an infinity.
     */
    public static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
