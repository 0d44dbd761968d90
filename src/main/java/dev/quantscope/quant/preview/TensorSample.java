package dev.quantscope.quant.preview;

import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

/**
 * Some whole rows of a tensor, decoded to floats: row {@code rowIndex[i]} is at {@code values[i * rowLength ..]}.
 * Rows are evenly spaced (row ⌊i·rows/k⌋), so the sample is deterministic and spans the tensor.
 */
public record TensorSample(String tensor, long rows, int rowLength, long[] rowIndex, float[] values) {

    public int sampledRows() { return rowIndex.length; }

    /** Whether every row is in the sample. */
    public boolean complete() { return rowIndex.length == rows; }

    /** How many of the tensor's elements each sampled element stands for. */
    public double weight() { return rowIndex.length == 0 ? 0 : (double) rows / rowIndex.length; }

    /**
     * Decodes {@code wanted} evenly spaced rows of {@code t} (all rows when {@code wanted >= rows}).
     * @throws UnsupportedOperationException when the tensor's type cannot be decoded
     * @throws IllegalArgumentException when the sample would not fit in one array
     */
    public static TensorSample of(TensorInfo t, long rowLength, long wanted) {
        ElementDecoder decoder = Decoders.find(t.dtype()).orElseThrow(
                () -> new UnsupportedOperationException(t.name() + ": " + t.dtype() + " cannot be decoded"));
        long rows = rowLength == 0 ? 0 : t.parameters() / rowLength;
        int k = (int) Math.min(rows, Math.max(0, wanted));
        long elements = Math.multiplyExact((long) k, rowLength);
        if (elements > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(t.name() + ": sample too large");
        long[] index = new long[k];
        float[] values = new float[(int) elements];
        for (int i = 0; i < k; i++) {
            // Exact integer arithmetic: i * rows stays far below overflow for any real tensor, but say so.
            index[i] = Math.multiplyExact((long) i, rows) / k;
            decoder.decode(t.data(), Math.multiplyExact(index[i], rowLength), values, (int) (i * rowLength),
                    (int) rowLength);
        }
        return new TensorSample(t.name(), rows, (int) rowLength, index, values);
    }
}
