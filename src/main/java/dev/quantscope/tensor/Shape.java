package dev.quantscope.tensor;

import java.util.Arrays;

/**
 * A tensor's dimensions, in the source format's own order (GGUF's ne order: fastest-varying first; PyTorch,
 * safetensors and ONNX: row-major, slowest first). Use {@link #rows()} and {@link #rowLength()} for the 2-D view
 * that statistics and heatmaps use; they know which order is which.
 *
 * @param dims  dimensions, each at least 1 (a scalar has none)
 * @param order which convention {@code dims} follows
 */
public record Shape(long[] dims, Order order) {

    /** Maximum number of dimensions any reader accepts. */
    public static final int MAX_DIMS = 8;

    public enum Order {
        /** ggml: dims[0] is the row length (contiguous), like GGUF's ne[]. */
        FASTEST_FIRST,
        /** NumPy/PyTorch: the last dim is contiguous. */
        SLOWEST_FIRST
    }

    public Shape {
        dims = dims.clone();
        if (dims.length > MAX_DIMS) throw new IllegalArgumentException("more than " + MAX_DIMS + " dims");
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dim " + d);
            n = Math.multiplyExact(n, d);
        }
    }

    public static Shape ggml(long... ne) { return new Shape(ne, Order.FASTEST_FIRST); }

    public static Shape rowMajor(long... dims) { return new Shape(dims, Order.SLOWEST_FIRST); }

    @Override
    public long[] dims() { return dims.clone(); }

    public int rank() { return dims.length; }

    public long dim(int i) { return dims[i]; }

    /** Number of elements (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Length of one contiguous row: the innermost dimension (1 for a scalar). */
    public long rowLength() {
        if (dims.length == 0) return 1;
        return order == Order.FASTEST_FIRST ? dims[0] : dims[dims.length - 1];
    }

    /** Number of rows (output channels for a weight matrix): all elements over the row length. */
    public long rows() {
        long len = rowLength();
        return len == 0 ? 0 : elementCount() / len;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && s.order == order && Arrays.equals(s.dims, dims);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(dims) * 31 + order.hashCode(); }

    @Override
    public String toString() { return Arrays.toString(dims); }
}
