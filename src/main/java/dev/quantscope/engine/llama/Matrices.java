package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.tensor.TensorInfo;

/** Picks the matrix implementation for a weight: the dtype's kernel when there is one, else a dequantized copy. */
final class Matrices {
    private Matrices() {}

    static WeightMatrix load(TensorInfo t) {
        try {
            return WeightMatrix.of(t);
        } catch (UnsupportedOperationException noKernelYet) {
            return new DecodedMatrix(t);
        }
    }
}
