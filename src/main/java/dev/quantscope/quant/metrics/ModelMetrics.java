package dev.quantscope.quant.metrics;

import dev.quantscope.quant.ggml.QuantizedSize;

import java.util.List;

/** Every tensor's metrics, in output order, and their total over the whole model. */
public record ModelMetrics(List<TensorMetrics> tensors) {

    public ModelMetrics {
        tensors = List.copyOf(tensors);
    }

    public QuantizedSize totalSize() {
        QuantizedSize s = QuantizedSize.NONE;
        for (TensorMetrics t : tensors) s = s.plus(t.size());
        return s;
    }

    /** The error of the whole model: sums over all its elements, so big tensors weigh more than small ones. */
    public ErrorMetrics totalError() {
        ErrorMetrics e = ErrorMetrics.NONE;
        for (TensorMetrics t : tensors) e = e.plus(t.error());
        return e;
    }
}
