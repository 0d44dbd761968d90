package dev.quantscope.engine.kernel;

import dev.quantscope.tensor.TensorInfo;

/** Chooses the kernel for a tensor's dtype. (Kernels are being written; F32 only for now.) */
public final class Kernels {
    private Kernels() {}

    static WeightMatrix matrix(TensorInfo t) {
        throw new UnsupportedOperationException("kernels pending for " + t.dtype());
    }
}
