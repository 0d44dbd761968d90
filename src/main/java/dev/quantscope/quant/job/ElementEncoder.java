package dev.quantscope.quant.job;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;

/**
 * Turns floats into the bytes of one output type, as llama-quantize does: ggml's quantizers for block types,
 * ggml's own float conversions for F32/F16/BF16. Not thread-safe (a quantizer owns scratch): one per worker.
 */
sealed interface ElementEncoder {

    /** Encodes {@code n} floats of {@code x} (a whole number of blocks) to {@code dst} at byte {@code dstOffset}. */
    void encode(float[] x, int n, MemorySegment dst, long dstOffset);

    /** Whether {@link #encode} can be asked for {@code type}. */
    static boolean supports(DType type) {
        return type == DType.F32 || type == DType.F16 || type == DType.BF16 || GgmlQuantizer.supports(type);
    }

    static ElementEncoder of(DType type) {
        return switch (type) {
            case F32 -> new F32();
            case F16 -> new F16();
            case BF16 -> new BF16();
            default -> new Quantized(GgmlQuantizer.create(type));
        };
    }

    record Quantized(GgmlQuantizer quantizer) implements ElementEncoder {
        @Override
        public void encode(float[] x, int n, MemorySegment dst, long dstOffset) {
            quantizer.quantize(x, 0, n, dst, dstOffset);
        }
    }

    record F32() implements ElementEncoder {
        @Override
        public void encode(float[] x, int n, MemorySegment dst, long dstOffset) {
            MemorySegment.copy(x, 0, dst, Layouts.F32, dstOffset, n);
        }
    }

    /** ggml_fp32_to_fp16_row: round to nearest even, as the F16C instruction (and Java's conversion) does. */
    record F16() implements ElementEncoder {
        @Override
        public void encode(float[] x, int n, MemorySegment dst, long dstOffset) {
            for (int i = 0; i < n; i++) dst.set(Layouts.I16, dstOffset + 2L * i, Float.floatToFloat16(x[i]));
        }
    }

    /** ggml_compute_fp32_to_bf16: round to nearest even, a NaN kept quiet (its payload's top bits, plus the quiet bit). */
    record BF16() implements ElementEncoder {
        @Override
        public void encode(float[] x, int n, MemorySegment dst, long dstOffset) {
            for (int i = 0; i < n; i++) dst.set(Layouts.I16, dstOffset + 2L * i, toBf16(x[i]));
        }

        static short toBf16(float f) {
            int u = Float.floatToRawIntBits(f);
            if ((u & 0x7fff_ffff) > 0x7f80_0000) return (short) ((u >>> 16) | 64);
            return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
        }
    }
}
