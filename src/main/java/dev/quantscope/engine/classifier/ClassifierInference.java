package dev.quantscope.engine.classifier;

/**
 * A classifier's forward pass at inference kept open for many small batches: buffers for up to {@code capacity}
 * examples and a thread pool made once, where {@link Classifier#logits} makes them per call. A teacher asked about
 * every training batch runs through one. Close it to stop the pool.
 */
public final class ClassifierInference implements AutoCloseable {
    private final InferencePass pass;
    private final int capacity, classes, features;
    private final float[] logits;

    ClassifierInference(Classifier classifier, int capacity, int threads) {
        if (capacity < 1) throw new IllegalArgumentException("A capacity of " + capacity + " examples.");
        this.pass = new InferencePass(classifier, capacity, threads);
        this.capacity = capacity;
        this.classes = classifier.architecture().classes();
        this.features = classifier.architecture().input().features();
        this.logits = new float[Math.multiplyExact(capacity, classes)];
    }

    /**
     * Logits of the {@code batch} examples laid out one after another in {@code inputs}, {@code batch × classes} valid
     * in the returned buffer, which the next call overwrites.
     */
    public float[] logits(float[] inputs, int batch) {
        if (batch > capacity) throw new IllegalArgumentException("A batch of " + batch + " over the capacity " + capacity + ".");
        if (inputs.length < (long) batch * features) {
            throw new IllegalArgumentException(inputs.length + " input values for " + batch + " examples of " + features + ".");
        }
        pass.logits(inputs, 0, batch, logits, null);
        return logits;
    }

    @Override
    public void close() {
        pass.close();
    }
}
