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
        if (format == SparseFormat.SPARSE_24_BITMASK) check24Layout(w, dims);

        MaskWalk walk = new MaskWalk(w.bitmask().tensor().data(), rows, cols);
        long kept = walk.countAndCheckOffsets(w.rowOffsets().orElse(null), dims.length <= 2);
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
        walk.scatter(w.compressed().tensor().data(), dense, type.blockBytes());
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

    /** numpy.packbits(axis=-1) gives each row of the dense tensor ceil(cols / 8) bytes. */
    private static void checkBitmaskBytes(StoredTensor bitmask, long[] dims, long rows, long cols)
            throws ModelFormatException {
        DType type = bitmask.tensor().dtype();
        if (type != DType.U8 && type != DType.I8) {
            throw bitmask.error("is " + type + ", but a bitmask is packed bytes (U8)");
        }
        long perRow = cols / 8 + (cols % 8 == 0 ? 0 : 1);
        long expected = Math.multiplyExact(rows, perRow); // within rows × cols, which the dense size has checked
        long actual = bitmask.tensor().byteSize();
        if (actual != expected) {
            throw bitmask.error("has " + actual + " bytes, but dims " + Arrays.toString(dims) + " need " + expected
                    + " (" + rows + " rows of " + perRow + ")");
        }
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

    /** Walks a packed bitmask row by row, least significant bit first, ignoring each row's padding bits. */
    private record MaskWalk(MemorySegment mask, long rows, long cols) {
        long perRow() { return cols / 8 + (cols % 8 == 0 ? 0 : 1); }

        /** The bits of byte {@code j} of a row that stand for elements (a row's last byte may be part padding). */
        int bits(long rowStart, long j) {
            int b = Byte.toUnsignedInt(mask.get(ValueLayout.JAVA_BYTE, rowStart + j));
            int tail = (int) (cols % 8);
            return j == perRow() - 1 && tail != 0 ? b & ((1 << tail) - 1) : b;
        }

        /**
         * Counts the set bits; where row offsets are given, checks that there is one per row and, for a matrix
         * ({@code checkValues}), that each is the count of kept values before its row, as the library computed
         * them (cumsum − count). For higher ranks the library's cumsum runs over the first dim only, so only the
         * number of entries is checked there.
         */
        long countAndCheckOffsets(StoredTensor rowOffsets, boolean checkValues) throws ModelFormatException {
            if (rowOffsets != null) {
                IntegerElements.require(rowOffsets, "where each row's values start");
                long n = rowOffsets.tensor().parameters();
                if (n != rows) throw rowOffsets.error("has " + n + " entries for " + rows + " rows");
            }
            long perRow = perRow();
            long kept = 0;
            for (long r = 0; r < rows; r++) {
                if (rowOffsets != null && checkValues) {
                    long offset = IntegerElements.at(rowOffsets.tensor(), r);
                    if (offset != kept) {
                        throw rowOffsets.error("says row " + r + " starts at value " + offset + ", but the bitmask"
                                + " keeps " + kept + " values before it");
                    }
                }
                long rowStart = r * perRow;
                for (long j = 0; j < perRow; j++) kept += Integer.bitCount(bits(rowStart, j));
            }
            return kept;
        }

        /** Copies the kept values, in order, to the elements whose bits are set; the others stay zero. */
        void scatter(MemorySegment values, MemorySegment dense, int elementBytes) {
            long perRow = perRow();
            long next = 0;
            for (long r = 0; r < rows; r++) {
                long rowStart = r * perRow;
                long denseRow = r * cols;
                for (long j = 0; j < perRow; j++) {
                    int b = bits(rowStart, j);
                    while (b != 0) {
                        long element = denseRow + j * 8 + Integer.numberOfTrailingZeros(b);
                        MemorySegment.copy(values, next * elementBytes, dense, element * elementBytes, elementBytes);
                        next++;
                        b &= b - 1;
                    }
                }
            }
        }
    }
}
