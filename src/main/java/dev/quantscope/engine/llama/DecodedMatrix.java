package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.Activation;
import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A weight matrix dequantized once to floats: the fallback when no kernel reads the stored dtype directly. It
 * costs four bytes per weight of heap, so it suits small models and dtypes the kernels do not cover.
 */
final class DecodedMatrix implements WeightMatrix {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private final int rows;
    private final int cols;
    private final DType dtype;
    private final float[] w;

    DecodedMatrix(TensorInfo t) {
        this.rows = Math.toIntExact(t.shape().rows());
        this.cols = Math.toIntExact(t.shape().rowLength());
        this.dtype = t.dtype();
        this.w = Decoders.decodeAll(t);
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public DType dtype() { return dtype; }

    @Override
    public void matvec(Activation x, float[] out, int rowStart, int rowEnd) {
        float[] v = x.values();
        int n = cols;
        for (int r = rowStart; r < rowEnd; r++) {
            int base = r * n;
            FloatVector acc = FloatVector.zero(SPECIES);
            int i = 0;
            for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
                acc = FloatVector.fromArray(SPECIES, w, base + i).fma(FloatVector.fromArray(SPECIES, v, i), acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < n; i++) s += w[base + i] * v[i];
            out[r] = s;
        }
    }
}
