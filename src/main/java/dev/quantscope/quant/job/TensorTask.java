package dev.quantscope.quant.job;

import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What happens to one tensor in {@link QuantizePipeline#convert}: its bytes are copied as they are, or its values
 * are decoded and converted into {@code output}.
 *
 * @param output where the converted bytes go (off the heap, sized by the caller for the conversion); for a
 *               {@link Conversion.Copy}, the source's own bytes
 */
public record TensorTask(TensorInfo source, Conversion conversion, MemorySegment output) {

    public TensorTask {
        Objects.requireNonNull(source);
        Objects.requireNonNull(conversion);
        Objects.requireNonNull(output);
    }

    public long elements() { return source.parameters(); }
}
