package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

/**
 * A weight matrix used by the engine, read straight from the mapped file in its stored dtype (no dequantized
 * copy). Layout is ggml's: {@code rows} output channels, each a contiguous run of {@code cols} inputs
 * (GGUF ne[0] = cols, ne[1] = rows).
 */
public interface WeightMatrix {
    int rows();

    int cols();

    DType dtype();

    /**
     * {@code out[r] = dot(row r, x)} for every r in [rowStart, rowEnd). Called concurrently from several threads
     * on disjoint row ranges with the same {@code x}; must not allocate.
     */
    void matvec(Activation x, float[] out, int rowStart, int rowEnd);

    /**
     * {@code outs[t][r] = dot(row r, xs[t])} for every token t in [t0, t1) and row r in [rowStart, rowEnd): the
     * batched form of {@link #matvec} for prompt processing. Kernels take each row once and run every token of
     * the batch over it while it is in the L1 cache, instead of streaming the row range once per token. Same
     * concurrency contract as matvec; must not allocate.
     */
    default void matmul(Activation[] xs, int t0, int t1, float[][] outs, int rowStart, int rowEnd) {
        for (int t = t0; t < t1; t++) matvec(xs[t], outs[t], rowStart, rowEnd);
    }

    /** The kernel for {@code t}: fastest available path (Vector API when present, else scalar). */
    static WeightMatrix of(TensorInfo t) {
        return Kernels.matrix(t);
    }

    /**
     * The fastest kernel for {@code t}, which may keep a reordered copy of the weights in {@code arena} (rows
     * interleaved for single-token products): the matrix must not be used after the arena is closed.
     */
    static WeightMatrix of(TensorInfo t, java.lang.foreign.Arena arena) {
        return Kernels.matrix(t, arena);
    }
}
