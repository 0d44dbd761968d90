package dev.quantscope.quant.metrics;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

/**
 * One tensor's storage and error after quantization.
 *
 * @param sourceType the type it had
 * @param type       the type it was stored as
 * @param size       its weights and the bytes they take as {@code type}
 * @param error      how far the stored values are from the source's; {@link ErrorMetrics#NONE} when its values
 *                   cannot be decoded (an integer table copied as is)
 */
public record TensorMetrics(String name, DType sourceType, DType type, QuantizedSize size, ErrorMetrics error) {

    public double bitsPerWeight() { return size.bitsPerWeight(); }
}
