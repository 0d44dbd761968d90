package dev.quantscope.format.safetensors;

import dev.quantscope.tensor.Shape;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor to write: its name, safetensors dtype, row-major shape, and where its bytes come from.
 *
 * @param name   the name in the header (not {@code __metadata__}, which the format reserves)
 * @param dtype  element type as safetensors spells it
 * @param shape  row-major dimensions (slowest first), as safetensors and PyTorch use them; may be empty (a scalar)
 * @param source produces the bytes when the writer reaches this tensor
 */
public record SafetensorsWriterTensor(String name, SafetensorsDType dtype, long[] shape, SafetensorsWriterSource source) {

    public SafetensorsWriterTensor {
        Objects.requireNonNull(name);
        Objects.requireNonNull(dtype);
        Objects.requireNonNull(source);
        if (name.equals(SafetensorsHeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the file's metadata");
        }
        shape = shape.clone();
        new Shape(shape, Shape.Order.SLOWEST_FIRST); // validates: non-negative, at most MAX_DIMS, no overflow
        byteSize(dtype, shape); // sub-byte dtypes must fill whole bytes
    }

    @Override
    public long[] shape() { return shape.clone(); }

    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Bytes the data takes. */
    public long byteSize() { return byteSize(dtype, shape); }

    private static long byteSize(SafetensorsDType dtype, long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return dtype.dtype().byteSize(n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsWriterTensor t && t.name.equals(name) && t.dtype == dtype
                && Arrays.equals(t.shape, shape) && t.source.equals(source);
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + dtype + Arrays.toString(shape); }
}
