package dev.quantscope.format.safetensors.export;

import dev.quantscope.format.safetensors.SafetensorsWriterSource;
import dev.quantscope.format.safetensors.SafetensorsWriterTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a dequantized export: its output name, row-major shape, float format, and the values as a
 * {@link RowSource}. Converting happens while the file is written, a chunk of rows at a time.
 *
 * @param name   the name in the file (e.g. a Hugging Face name)
 * @param shape  row-major dimensions; their product must be the source's element count
 * @param format F32, F16 or BF16
 * @param values the values, in row-major order
 */
public record DequantizedTensor(String name, long[] shape, FloatFormat format, RowSource values) {

    /** Floats converted per chunk: 4 MB of floats on the heap at most (plus one row when rows are longer). */
    static final int CHUNK_ELEMENTS = 1 << 20;

    public DequantizedTensor {
        Objects.requireNonNull(name);
        Objects.requireNonNull(format);
        Objects.requireNonNull(values);
        shape = shape.clone();
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        if (n != values.elementCount()) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " elements, the values have " + values.elementCount());
        }
        if (values.rowLength() > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException(name + ": rows of " + values.rowLength() + " elements are too long");
        }
    }

    @Override
    public long[] shape() { return shape.clone(); }

    /** The tensor for {@link dev.quantscope.format.safetensors.SafetensorsWriter}, converting as it is written. */
    public SafetensorsWriterTensor toWriterTensor() {
        return new SafetensorsWriterTensor(name, format.dtype(), shape, writer());
    }

    private SafetensorsWriterSource writer() {
        return sink -> {
            long rows = values.rows();
            int rowLength = (int) values.rowLength();
            if (rows == 0 || rowLength == 0) return;
            int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_ELEMENTS / rowLength));
            float[] floats = new float[rowsPerChunk * rowLength];
            ByteBuffer bytes = ByteBuffer.allocate(floats.length * format.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (long row = 0; row < rows; row += rowsPerChunk) {
                int count = (int) Math.min(rowsPerChunk, rows - row);
                values.read(row, count, floats);
                bytes.clear();
                format.encode(floats, 0, count * rowLength, bytes);
                sink.write(bytes.flip());
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DequantizedTensor t && t.name.equals(name) && Arrays.equals(t.shape, shape)
                && t.format == format && t.values.equals(values);
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return name + " " + format + Arrays.toString(shape); }
}
