package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.Activation;
import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

/**
 * A weight matrix dequantized once to floats: the fallback when no kernel reads the stored dtype directly. It
 * costs four bytes per weight of heap, so it suits small models and dtypes the kernels do not cover.
 */
final class DecodedMatrix implements WeightMatrix {
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
            // Four partial sums: independent dependency chains let the CPU pipeline the multiply-adds.
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 += w[base + i] * v[i];
                s1 += w[base + i + 1] * v[i + 1];
                s2 += w[base + i + 2] * v[i + 2];
                s3 += w[base + i + 3] * v[i + 3];
            }
            for (; i < n; i++) s0 += w[base + i] * v[i];
            out[r] = (s0 + s1) + (s2 + s3);
        }
    }
}
