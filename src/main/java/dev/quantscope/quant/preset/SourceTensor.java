package dev.quantscope.quant.preset;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

/**
 * A tensor of the model to be quantized, as the planner needs it.
 *
 * @param ne   dimensions in ggml order (row length first)
 * @param type its type in the source file
 */
public record SourceTensor(String name, long[] ne, DType type) {
    public SourceTensor {
        ne = ne.clone();
    }

    @Override
    public long[] ne() { return ne.clone(); }

    /** ne[0], the row length (1 for a scalar). */
    public long rowLength() { return ne.length == 0 ? 1 : ne[0]; }

    /** From an open model's tensor, turning row-major dimensions into ggml's order. */
    public static SourceTensor of(TensorInfo t) {
        long[] dims = t.shape().dims();
        if (t.shape().order() == Shape.Order.SLOWEST_FIRST) {
            for (int i = 0, j = dims.length - 1; i < j; i++, j--) {
                long x = dims[i];
                dims[i] = dims[j];
                dims[j] = x;
            }
        }
        return new SourceTensor(t.name(), dims, t.dtype());
    }
}
