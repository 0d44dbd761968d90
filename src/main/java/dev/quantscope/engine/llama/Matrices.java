package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;

/** Picks the matrix implementation for a weight: the dtype's kernel when there is one, else a dequantized copy. */
final class Matrices {
    private Matrices() {}

    static WeightMatrix load(TensorInfo t, Arena arena) {
        try {
            return WeightMatrix.of(t, arena);
        } catch (UnsupportedOperationException noKernelYet) {
            return new DecodedMatrix(t);
        }
    }
}
