package dev.quantscope.quant.preview;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.tensor.DType;

import java.util.Objects;
import java.util.Optional;

/**
 * What one tensor becomes in a compression plan: stored as a ggml type (a block quantization, or a float cast
 * such as the F16 that llama-quantize falls back to), or left exactly as it is.
 */
public sealed interface Target {

    /** Short name for tables and chart legends, e.g. "Q4_K" or "keep". */
    String label();

    /** Why rows of {@code rowLength} cannot take this target, or empty when they can. */
    Optional<String> unsupportedReason(long rowLength);

    /** Exact storage of a {@code rows × rowLength} tensor whose source type is {@code source}. */
    QuantizedSize size(DType source, long rows, long rowLength);

    /** The ggml type a GGUF file would hold, or empty when the target has no ggml type. */
    Optional<DType> ggmlType(DType source);

    /** Stored as the ggml type {@code type}: one of the ggml quantizers' types, or F32/F16/BF16. */
    record Stored(DType type) implements Target {
        public Stored {
            Objects.requireNonNull(type);
            if (!storable(type)) throw new IllegalArgumentException("cannot store a tensor as " + type);
        }

        /** Whether {@code type} is a type this package can quantize to and measure. */
        public static boolean storable(DType type) {
            return GgmlQuantizer.supports(type) || type == DType.F32 || type == DType.F16 || type == DType.BF16;
        }

        @Override
        public String label() { return type.name(); }

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
        public Optional<DType> ggmlType(DType source) { return Optional.of(type); }
    }

    /** Left as it is in the source file: same bytes, no error. */
    record Unchanged() implements Target {
        @Override
        public String label() { return "keep"; }

        @Override
        public Optional<String> unsupportedReason(long rowLength) { return Optional.empty(); }

        @Override
        public QuantizedSize size(DType source, long rows, long rowLength) {
            return QuantizedSize.of(source, Math.multiplyExact(rows, rowLength));
        }

        @Override
        public Optional<DType> ggmlType(DType source) {
            return source.ggmlId() >= 0 ? Optional.of(source) : Optional.empty();
        }
    }

    Target KEEP = new Unchanged();
}
