package dev.quantscope.quant.scheme;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Objects;
import java.util.Optional;

/**
 * One of ggml's block types, quantized byte-exactly like ggml's reference quantizer ({@link GgmlQuantizer}) and
 * decoded by the ggml dequantizers. Scales live inside the blocks, so the size is the dtype table's.
 */
public record GgmlBlock(DType type) implements QuantScheme {

    public GgmlBlock {
        Objects.requireNonNull(type);
        if (!GgmlQuantizer.supports(type)) throw new IllegalArgumentException("no ggml quantizer for " + type);
    }

    @Override
    public String id() { return "ggml:" + type.name(); }

    @Override
    public String label() { return type.name() + " (ggml)"; }

    @Override
    public Optional<String> unsupportedReason(long rowLength) {
        if (rowLength % type.blockElements() != 0) {
            return Optional.of("rows of " + rowLength + " are not a whole number of " + type + " blocks of "
                    + type.blockElements());
        }
        return Optional.empty();
    }

    @Override
    public QuantizedSize size(DType source, long rows, long rowLength) {
        unsupportedReason(rowLength).ifPresent(r -> { throw new IllegalArgumentException(r); });
        return QuantizedSize.of(type, Math.multiplyExact(rows, rowLength));
    }

    @Override
    public QuantizedTensor quantize(float[] values, int rows, int rowLength) {
        return GgmlCodec.quantize(this, values, rows, rowLength);
    }
}
