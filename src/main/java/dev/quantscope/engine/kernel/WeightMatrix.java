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

    /** The kernel for {@code t}: fastest available path (Vector API when present, else scalar). */
    static WeightMatrix of(TensorInfo t) {
        return Kernels.matrix(t);
    }
}
