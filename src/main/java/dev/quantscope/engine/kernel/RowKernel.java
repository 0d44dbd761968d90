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

    /** The batched path's row decoder (the vector kernels), or null: then each token runs rowDot. */
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
        // Every thread of the job brings all the batch's activation forms up to date, and the first to need one
        // quantizes it while the others wait on its lock. Tiles of odd index go through the tokens backwards: with
        // two threads starting on tiles 0 and 1, each quantizes half the batch instead of one doing all of it.
        boolean backwards = ((rowStart >>> 4) & 1) != 0;
        for (int i = t0; i < t1; i++) {
            int t = backwards ? t0 + t1 - 1 - i : i;
            Objects.checkFromToIndex(rowStart, rowEnd, Math.min(rows, outs[t].length));
            if (xs[t].length() != cols) throw new IllegalArgumentException("activation of " + xs[t].length() + " for " + cols + " columns");
            prepare(xs[t]);
        }
        if (decoder != null && t1 - t0 >= BatchKernels.MIN_TOKENS) {
            // A matrix product: each tile of rows decoded once to floats, then a register-blocked micro-kernel runs
            // every token of the batch over it (see BatchKernels).
            BatchKernels.product(decoder, data, rowBytes, cols, xs, t0, t1, outs, rowStart, rowEnd);
            return;
        }
        long first = rowStart * rowBytes;
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
