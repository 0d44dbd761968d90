package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;

/** Picks the matrix implementation for a weight: the dtype's kernel when there is one, else a dequantized copy. */
final class Matrices {
    private Matrices() {}

    /** The kernel for {@code t}, which may keep a copy in {@code copies}; none when that is null. */
    static WeightMatrix load(TensorInfo t, Arena copies) {
        try {
            return copies == null ? WeightMatrix.of(t) : WeightMatrix.of(t, copies);
        } catch (UnsupportedOperationException noKernelYet) {
            return new DecodedMatrix(t);
        }
    }
}
