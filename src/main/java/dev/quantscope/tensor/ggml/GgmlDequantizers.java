package dev.quantscope.tensor.ggml;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.ElementDecoder;

/**
 * Dequantizers for ggml's block types, bit-exact with ggml's reference {@code dequantize_row_*}.
 * (Being filled in type by type; a type not handled yet is reported as not decodable.)
 */
public final class GgmlDequantizers {
    private GgmlDequantizers() {}

    /** The decoder for a ggml block type, or null when it is not supported. */
    public static ElementDecoder find(DType type) {
        return null;
    }
}
