package dev.quantscope.format.safetensors.sparse;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.tensor.Units;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Turns one {@link CompressedWeight} back into its dense tensor, byte for byte: every bit the bitmask sets takes
 * the next kept value, every other element is zero. Values are copied as raw elements, so any one-element-per-
 * byte-or-more dtype (F32, F16, BF16, FP8, integers) comes back exactly. Everything the file states about sizes
 * is checked first (with exact arithmetic), so a malformed checkpoint is one clear error and never a wrong tensor.
 */
final class BitmaskExpansion {
    private BitmaskExpansion() {}

    /** Dense tensors start on a cache line, where vector kernels read them fastest. */
    private static final long ALIGNMENT = 64;

    static TensorInfo expand(CompressedWeight w, SparseFormat format, Arena arena) throws ModelFormatException {
        long[] dims = denseDims(w.shape());
        long rows = 1;
        try {
            for (int i = 0; i < dims.length - 1; i++) rows = Math.multiplyExact(rows, dims[i]);
        } catch (ArithmeticException e) {
            throw w.shape().error("dims " + Arrays.toString(dims) + " have more elements than a tensor can hold");
        }
        long cols = dims[dims.length - 1];
        DType type = valueType(w.compressed());
        long bytes;
        try {
            bytes = type.byteSize(Math.multiplyExact(rows, cols));
        } catch (ArithmeticException e) {
            throw w.shape().error("dims " + Arrays.toString(dims) + " of " + type + " take more bytes than a tensor can hold");
        }
        checkBitmaskBytes(w.bitmask(), dims, rows, cols);
        switch (format) {
            case SPARSE_24_BITMASK -> check24Layout(w, dims);
            case SPARSE_BITMASK -> { } // its values are a flat list, whose length the bit count checks below
        }

        MaskWalk walk = new MaskWalk(w.bitmask().tensor().data(), rows, cols);
        long[] starts = walk.countAndCheckOffsets(w.rowOffsets().orElse(null), dims.length <= 2);
        long kept = starts[starts.length - 1];
        long stored = w.compressed().tensor().parameters();
        if (kept != stored) {
            throw w.bitmask().error("marks " + kept + " values as kept, but '" + w.compressed().name() + "' holds "
                    + stored);
        }
        MemorySegment dense;
        try {
            dense = arena.allocate(bytes, ALIGNMENT); // zero-filled: what the bitmask leaves out is 0
        } catch (OutOfMemoryError e) {
            throw w.compressed().error("expands to " + Units.bytes(bytes) + ", more memory than is free");
        }
        walk.scatter(starts, w.compressed().tensor().data(), dense, type.blockBytes());
        return new TensorInfo(w.denseName(), Shape.rowMajor(dims), type, bytes, dense);
    }

    /** The dense shape the {@code .shape} tensor states: 1 to {@link Shape#MAX_DIMS} dims, none negative. */
    private static long[] denseDims(StoredTensor shape) throws ModelFormatException {
        IntegerElements.require(shape, "the dense tensor's dims");
        long n = shape.tensor().parameters();
        if (n < 1 || n > Shape.MAX_DIMS) {
            throw shape.error("holds " + n + " dims; a dense tensor has 1 to " + Shape.MAX_DIMS);
        }
        long[] dims = new long[(int) n];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = IntegerElements.at(shape.tensor(), i);
            if (dims[i] < 0) throw shape.error("dim " + i + " is " + dims[i]);
        }
        return dims;
    }

    /** Kept values are copied element by element, so an element must be a whole number of bytes. */
    private static DType valueType(StoredTensor compressed) throws ModelFormatException {
        DType type = compressed.tensor().dtype();
        if (type.blockElements() != 1 || type.blockBytes() == 0) {
            throw compressed.error("holds " + type + " values, which are not whole bytes each and cannot be placed"
                    + " one by one");
        }
        return type;
    }

    /** The bitmask is bytes, {@link #bytesPerRow} for each row of the dense tensor. */
    private static void checkBitmaskBytes(StoredTensor bitmask, long[] dims, long rows, long cols)
            throws ModelFormatException {
        DType type = bitmask.tensor().dtype();
        if (type != DType.U8 && type != DType.I8) {
            throw bitmask.error("is " + type + ", but a bitmask is packed bytes (U8)");
        }
        long perRow = bytesPerRow(cols);
        long expected = Math.multiplyExact(rows, perRow); // within rows × cols, which the dense size has checked
        long actual = bitmask.tensor().byteSize();
        if (actual != expected) {
            throw bitmask.error("has " + actual + " bytes, but dims " + Arrays.toString(dims) + " need " + expected
                    + " (" + rows + " rows of " + perRow + ")");
        }
    }

    /** numpy.packbits(axis=-1) pads each row to whole bytes. */
    private static long bytesPerRow(long cols) {
        return cols / 8 + (cols % 8 == 0 ? 0 : 1);
    }

    /** sparse-24-bitmask keeps exactly half of each row of a matrix, stored as [rows, cols / 2]. */
    private static void check24Layout(CompressedWeight w, long[] dims) throws ModelFormatException {
        if (dims.length != 2) {
            throw w.shape().error("states dims " + Arrays.toString(dims) + ", but sparse-24-bitmask stores matrices");
        }
        long[] expected = {dims[0], dims[1] / 2};
        long[] actual = w.compressed().tensor().shape().dims();
        if (!Arrays.equals(expected, actual)) {
            throw w.compressed().error("has shape " + Arrays.toString(actual) + ", but sparse-24-bitmask keeps half"
                    + " of each row of a " + Arrays.toString(dims) + " matrix as " + Arrays.toString(expected));
        }
    }

    /**
     * Walks a packed bitmask row by row, least significant bit first, ignoring each row's padding bits. Rows are
     * taken in blocks of about {@link #BLOCK_MASK_BYTES} bitmask bytes: the count finds where each block's values
     * start, so the blocks can then be scattered in parallel, each from its own start.
     */
    private record MaskWalk(MemorySegment mask, long rows, long cols, long perRow, long blockRows) {
        static final long BLOCK_MASK_BYTES = 1 << 16;

        MaskWalk(MemorySegment mask, long rows, long cols) {
            this(mask, rows, cols, bytesPerRow(cols), Math.max(1, BLOCK_MASK_BYTES / Math.max(1, bytesPerRow(cols))));
        }

        /** Blocks to walk: none when rows are empty, whatever their number (their bitmask is 0 bytes long). */
        int blocks() {
            return perRow == 0 ? 0 : Math.toIntExact(rows / blockRows + (rows % blockRows == 0 ? 0 : 1));
        }

        /** The bits of byte {@code j} of a row that stand for elements (a row's last byte may be part padding). */
        int bits(long rowStart, long j) {
            int b = Byte.toUnsignedInt(mask.get(ValueLayout.JAVA_BYTE, rowStart + j));
            int tail = (int) (cols % 8);
            return j == perRow - 1 && tail != 0 ? b & ((1 << tail) - 1) : b;
        }

        /**
         * Counts the set bits, and returns where each block's values start (one more entry: the total). Where row
         * offsets are given, checks that there is one per row and, for a matrix ({@code checkValues}), that each
         * is the count of kept values before its row, as the library computed them (cumsum − count). For higher
         * ranks the library's cumsum runs over the first dim only, so only the number of entries is checked there.
         */
        long[] countAndCheckOffsets(StoredTensor rowOffsets, boolean checkValues) throws ModelFormatException {
            if (rowOffsets != null) {
                IntegerElements.require(rowOffsets, "where each row's values start");
                long n = rowOffsets.tensor().parameters();
                if (n != rows) throw rowOffsets.error("has " + n + " entries for " + rows + " rows");
            }
            boolean checkOffsets = rowOffsets != null && checkValues;
            if (perRow == 0 && checkOffsets) {
                // rows of no elements: each offset is 0, and there are as many as the file holds, not 'rows' to walk
                for (long r = 0; r < rows; r++) checkOffset(rowOffsets, r, 0);
            }
            long[] starts = new long[blocks() + 1];
            long kept = 0;
            for (int b = 0; b < starts.length - 1; b++) {
                starts[b] = kept;
                long end = Math.min(rows, (b + 1) * blockRows);
                for (long r = b * blockRows; r < end; r++) {
                    if (checkOffsets) checkOffset(rowOffsets, r, kept);
                    long rowStart = r * perRow;
                    for (long j = 0; j < perRow; j++) kept += Integer.bitCount(bits(rowStart, j));
                }
            }
            starts[starts.length - 1] = kept;
            return starts;
        }

        private static void checkOffset(StoredTensor rowOffsets, long r, long kept) throws ModelFormatException {
            long offset = IntegerElements.at(rowOffsets.tensor(), r);
            if (offset != kept) {
                throw rowOffsets.error("says row " + r + " starts at value " + offset + ", but the bitmask keeps "
                        + kept + " values before it");
            }
        }

        /** Copies the kept values, in order, to the elements whose bits are set; the others stay zero. */
        void scatter(long[] starts, MemorySegment values, MemorySegment dense, int elementBytes) {
            IntStream.range(0, starts.length - 1).parallel().forEach(b -> {
                long next = starts[b];
                long end = Math.min(rows, (b + 1) * blockRows);
                for (long r = b * blockRows; r < end; r++) {
                    long rowStart = r * perRow;
                    long denseRow = r * cols;
                    for (long j = 0; j < perRow; j++) {
                        int bits = bits(rowStart, j);
                        while (bits != 0) {
                            long element = denseRow + j * 8 + Integer.numberOfTrailingZeros(bits);
                            MemorySegment.copy(values, next * elementBytes, dense, element * elementBytes, elementBytes);
                            next++;
                            bits &= bits - 1;
                        }
                    }
                }
            });
        }
    }
}
