package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The common frame of every kernel: a matrix of {@code rows} rows of {@code cols} elements stored back to back
 * in the tensor's dtype, and a per-row dot product that subclasses implement. The row loop lives here; the
 * dot product of one row is one virtual call, cheap next to a row of at least a few hundred elements.
 */
abstract class RowKernel implements WeightMatrix {
    final DType dtype;
    final int rows;
    final int cols;
    final int blocks;
    final long rowBytes;
    final MemorySegment data;

    RowKernel(TensorInfo t) {
        this.dtype = t.dtype();
        long len = t.shape().rowLength();
        long n = t.shape().rows();
        this.cols = Math.toIntExact(len);
        this.rows = Math.toIntExact(n);
        if (cols % dtype.blockElements() != 0) {
            throw new IllegalArgumentException(t.name() + ": row length " + cols + " is not a whole number of "
                    + dtype + " blocks of " + dtype.blockElements());
        }
        this.blocks = cols / dtype.blockElements();
        this.rowBytes = dtype.byteSize(cols);
        if (Math.multiplyExact(rowBytes, (long) rows) != t.data().byteSize()) {
            throw new IllegalArgumentException(t.name() + ": " + rows + " rows of " + rowBytes + " bytes do not make "
                    + t.data().byteSize() + " bytes");
        }
        this.data = t.data();
    }

    /** The batched path's row decoder (vector kernels of some types), or null: then each token runs rowDot. */
    private BatchKernels.RowDecoder decoder;

    /** Set once by the factory, before the kernel is handed out. */
    final RowKernel withDecoder(BatchKernels.RowDecoder d) {
        this.decoder = d;
        return this;
    }

    @Override public final int rows() { return rows; }
    @Override public final int cols() { return cols; }
    @Override public final DType dtype() { return dtype; }

    @Override
    public final void matvec(Activation x, float[] out, int rowStart, int rowEnd) {
        Objects.checkFromToIndex(rowStart, rowEnd, Math.min(rows, out.length));
        if (x.length() != cols) throw new IllegalArgumentException("activation of " + x.length() + " for " + cols + " columns");
        prepare(x);
        long at = rowStart * rowBytes;
        for (int r = rowStart; r < rowEnd; r++, at += rowBytes) out[r] = rowDot(x, at, null);
    }

    @Override
    public final void matmul(Activation[] xs, int t0, int t1, float[][] outs, int rowStart, int rowEnd) {
        Objects.checkFromToIndex(t0, t1, Math.min(xs.length, outs.length));
        for (int t = t0; t < t1; t++) {
            Objects.checkFromToIndex(rowStart, rowEnd, Math.min(rows, outs[t].length));
            if (xs[t].length() != cols) throw new IllegalArgumentException("activation of " + xs[t].length() + " for " + cols + " columns");
            prepare(xs[t]);
        }
        long first = rowStart * rowBytes;
        if (decoder != null && t1 - t0 >= 2) {
            // Rows decoded once, four at a time, then every token of the batch dots with them (see BatchKernels).
            DecodedRow row = DecodedRow.forThisThread(cols, blocks);
            float[] eight = EIGHT.get();
            int r = rowStart;
            for (; r + 4 <= rowEnd; r += 4) {
                for (int k = 0; k < 4; k++) decoder.decode(data, (r + k) * rowBytes, row, k);
                for (int t = t0; t < t1; t += 2) {
                    // an odd last token is taken twice (as its own pair), its second result dropped
                    int t2 = Math.min(t + 1, t1 - 1);
                    decoder.dot4x2(xs[t], xs[t2], row, eight);
                    float[] out = outs[t], out2 = outs[t2];
                    out[r] = eight[0];
                    out[r + 1] = eight[1];
                    out[r + 2] = eight[2];
                    out[r + 3] = eight[3];
                    out2[r] = eight[4];
                    out2[r + 1] = eight[5];
                    out2[r + 2] = eight[6];
                    out2[r + 3] = eight[7];
                }
            }
            for (; r < rowEnd; r++) {
                decoder.decode(data, r * rowBytes, row, 0);
                for (int t = t0; t < t1; t++) outs[t][r] = decoder.dot(xs[t], row, 0);
            }
            return;
        }
        // Token outer, rows inner: the caller passes a small tile of rows (a few KB), which stays in L1 while every
        // token of the batch runs over it, so the weights come from memory once per batch. The other order (row
        // outer) streams all the batch's activations (4 KB each) past every row and measured slower on a
        // 128-token batch.
        for (int t = t0; t < t1; t++) {
            Activation x = xs[t];
            float[] out = outs[t];
            long at = first;
            for (int r = rowStart; r < rowEnd; r++, at += rowBytes) out[r] = rowDot(x, at, null);
        }
    }

    /** Brings the activation form this kernel reads up to date (once per change, shared by all threads). */
    abstract void prepare(Activation x);

    /** Per-thread scratch for the batched path's results of four rows and two tokens. */
    private static final ThreadLocal<float[]> EIGHT = ThreadLocal.withInitial(() -> new float[8]);

    /**
     * The dot product of the row at byte {@code rowAt} with {@code x}. When {@code blockInts} is not null the
     * integer part of each block's dot product (before the float scales) is stored there too, for tests; the
     * float kernels have no integer part and ignore it.
     */
    abstract float rowDot(Activation x, long rowAt, int[] blockInts);

    /** The integer part of each block's dot product for {@code row} (tests only; allocates). */
    final int[] blockIntegers(Activation x, int row) {
        Objects.checkIndex(row, rows);
        prepare(x);
        int[] ints = new int[blocks];
        rowDot(x, row * rowBytes, ints);
        return ints;
    }
}
