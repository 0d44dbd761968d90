package dev.quantscope.engine.classifier;

/**
 * One named parameter of a classifier: its shape (PyTorch's) and whether training updates it (running statistics
 * of batch norm are buffers, not trained by the optimizer).
 */
public record ParameterTensor(String name, long[] shape, boolean trainable) {

    public int size() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return Math.toIntExact(n);
    }
}
