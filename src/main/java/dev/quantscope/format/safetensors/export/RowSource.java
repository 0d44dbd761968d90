package dev.quantscope.format.safetensors.export;

import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.util.function.LongUnaryOperator;

/**
 * A tensor's values as floats, row by row, read on demand: exporters convert a chunk of rows at a time, so a
 * tensor of any size passes through a small buffer. Rows are {@link #rowLength()} consecutive elements of the
 * row-major (for GGUF: ne0-fastest) element order.
 */
public interface RowSource {
    long rows();

    long rowLength();

    /** Reads rows {@code firstRow .. firstRow + rowCount - 1} into {@code dst} from index 0. */
    void read(long firstRow, int rowCount, float[] dst);

    default long elementCount() { return Math.multiplyExact(rows(), rowLength()); }

    /** A model tensor, decoded with its dtype's decoder, in rows of its own row length. */
    static RowSource of(TensorInfo t) {
        return of(t, t.shape().rowLength());
    }

    /**
     * A model tensor in rows of {@code rowLength} elements (e.g. 1 to permute the elements of a bias vector).
     * For block types the row length must be a whole number of blocks.
     */
    static RowSource of(TensorInfo t, long rowLength) {
        ElementDecoder decoder = Decoders.find(t.dtype()).orElseThrow(() -> new IllegalArgumentException(
                t.name() + ": " + t.dtype() + " cannot be decoded to floats"));
        long n = t.parameters();
        if (rowLength <= 0 ? n != 0 : n % rowLength != 0) {
            throw new IllegalArgumentException(t.name() + ": " + n + " elements are not rows of " + rowLength);
        }
        if (rowLength % t.dtype().blockElements() != 0) {
            throw new IllegalArgumentException(t.name() + ": rows of " + rowLength + " split " + t.dtype() + " blocks");
        }
        long rows = rowLength == 0 ? 0 : n / rowLength;
        return new RowSource() {
            @Override public long rows() { return rows; }
            @Override public long rowLength() { return rowLength; }
            @Override public void read(long firstRow, int rowCount, float[] dst) {
                decoder.decode(t.data(), Math.multiplyExact(firstRow, rowLength), dst, 0,
                        Math.toIntExact(Math.multiplyExact(rowCount, rowLength)));
            }
        };
    }

    /** Values already in memory (tests, small tensors), {@code rows × rowLength}. */
    static RowSource of(float[] values, long rows, long rowLength) {
        if (Math.multiplyExact(rows, rowLength) != values.length) {
            throw new IllegalArgumentException(values.length + " values are not " + rows + " rows of " + rowLength);
        }
        return new RowSource() {
            @Override public long rows() { return rows; }
            @Override public long rowLength() { return rowLength; }
            @Override public void read(long firstRow, int rowCount, float[] dst) {
                System.arraycopy(values, Math.toIntExact(firstRow * rowLength), dst, 0, Math.toIntExact(rowCount * rowLength));
            }
        };
    }

    /**
     * The same rows in another order: output row {@code r} is this source's row {@code sourceRow.applyAsLong(r)},
     * which must be a permutation of the rows.
     */
    default RowSource permuteRows(LongUnaryOperator sourceRow) {
        RowSource base = this;
        return new RowSource() {
            private float[] one;

            @Override public long rows() { return base.rows(); }
            @Override public long rowLength() { return base.rowLength(); }
            @Override public void read(long firstRow, int rowCount, float[] dst) {
                int len = Math.toIntExact(base.rowLength());
                if (one == null) one = new float[len];
                for (int i = 0; i < rowCount; i++) {
                    base.read(sourceRow.applyAsLong(firstRow + i), 1, one);
                    System.arraycopy(one, 0, dst, i * len, len);
                }
            }
        };
    }
}
