package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;

/** Little-endian field reads inside a ggml block, spelled like ggml-common.h's types. */
final class BlockBytes {
    private BlockBytes() {}

    /** uint8_t */
    static int u8(MemorySegment s, long at) {
        return s.get(Layouts.I8, at) & 0xFF;
    }

    /** int8_t */
    static int i8(MemorySegment s, long at) {
        return s.get(Layouts.I8, at);
    }

    /** ggml_half, widened exactly like GGML_FP16_TO_FP32 (every half is exactly representable as a float). */
    static float half(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(Layouts.I16, at));
    }

    /** float (Q8_K's scale is a full float). */
    static float f32(MemorySegment s, long at) {
        return s.get(Layouts.F32, at);
    }

    /** uint32_t read with memcpy, as Q5_0 and Q5_1 read their 32 high bits. */
    static int u32(MemorySegment s, long at) {
        return s.get(Layouts.I32, at);
    }
}
