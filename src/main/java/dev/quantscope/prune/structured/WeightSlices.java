package dev.quantscope.prune.structured;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * Copies of a tensor with some of its rows or columns, byte for byte: a kept weight keeps its exact stored bits.
 * Rows are a tensor's contiguous runs (ggml's ne[0], or the last dimension of a row-major tensor), so whole rows of
 * any type can be copied, quantized blocks included; taking columns out cuts inside every row, which only plain
 * float types allow.
 */
final class WeightSlices {
    private WeightSlices() {}

    /** The types whose single elements can be copied, and therefore whose columns can be taken out. */
    static final Set<DType> COLUMN_CUTTABLE = Set.of(DType.F32, DType.F16, DType.BF16);

    /** The bytes of {@code t}'s rows {@code rows} (ascending), in that order. */
    static MemorySegment rows(TensorInfo t, int[] rows, Arena arena) {
        long rowBytes = t.dtype().byteSize(t.shape().rowLength());
        MemorySegment out = arena.allocate(rowBytes * rows.length, 64);
        for (int i = 0; i < rows.length; i++) {
            MemorySegment.copy(t.data(), rows[i] * rowBytes, out, i * rowBytes, rowBytes);
        }
        return out;
    }

    /** The bytes of {@code t} with only the columns {@code columns} (ascending) of every row. */
    static MemorySegment columns(TensorInfo t, int[] columns, Arena arena) {
        requireColumnCuttable(t, "");
        long elementBytes = t.dtype().byteSize(1);
        long rowLength = t.shape().rowLength();
        long rows = t.shape().rows();
        MemorySegment out = arena.allocate(elementBytes * columns.length * rows, 64);
        long to = 0;
        for (long r = 0; r < rows; r++) {
            long rowStart = r * rowLength * elementBytes;
            // Runs of neighbouring columns are copied in one go.
            for (int i = 0; i < columns.length; ) {
                int j = i + 1;
                while (j < columns.length && columns[j] == columns[j - 1] + 1) j++;
                long bytes = (j - i) * elementBytes;
                MemorySegment.copy(t.data(), rowStart + columns[i] * elementBytes, out, to, bytes);
                to += bytes;
                i = j;
            }
        }
        return out;
    }

    /** A copy of all of {@code t}'s bytes, owned by {@code arena}. */
    static MemorySegment copy(TensorInfo t, Arena arena) {
        MemorySegment out = arena.allocate(Math.max(1, t.byteSize()), 64).asSlice(0, t.byteSize());
        MemorySegment.copy(t.data(), 0, out, 0, t.byteSize());
        return out;
    }

    /**
     * Refuses a tensor whose columns cannot be taken out.
     *
     * @param why what the cut is for, with a leading space (" to remove FFN units"), or empty
     */
    static void requireColumnCuttable(TensorInfo t, String why) {
        if (!COLUMN_CUTTABLE.contains(t.dtype())) {
            throw new IllegalArgumentException(t.name() + " is " + t.dtype() + ": taking columns out of it" + why
                    + " needs F32, F16 or BF16 weights, so prune before quantizing.");
        }
    }
}
