package dev.quantscope.engine.classifier;

import dev.quantscope.engine.kernel.RowParallel;

import java.util.List;

/**
 * A classifier's forward pass at inference (dropout off, batch norm's running statistics) with buffers for up to
 * {@code capacity} examples and a pool of threads, reused across batches; close it to stop the pool.
 */
final class InferencePass implements AutoCloseable {
    private final Classifier classifier;
    private final Architecture architecture;
    private final List<InputShape> shapes;
    private final int capacity;
    private final RowParallel pool;
    private final float[] bufferA, bufferB, cols;
    private final float[][] transposed;

    InferencePass(Classifier classifier, int capacity, int threads) {
        this.classifier = classifier;
        this.architecture = classifier.architecture();
        this.shapes = architecture.shapes();
        this.capacity = capacity;
        int widest = 0, colSize = 0;
        for (int i = 0; i < shapes.size(); i++) widest = Math.max(widest, shapes.get(i).features());
        transposed = new float[architecture.layers().size()][];
        for (int i = 0; i < architecture.layers().size(); i++) {
            InputShape in = shapes.get(i);
            switch (architecture.layers().get(i).spec()) {
                case LayerSpec.Conv c -> colSize = Math.max(colSize, Math.multiplyExact(in.channels() * c.kernel() * c.kernel(), in.height() * in.width()));
                case LayerSpec.Dense d -> transposed[i] = new float[Math.multiplyExact(d.units(), in.features())];
                default -> { }
            }
        }
        this.bufferA = new float[Math.multiplyExact(capacity, widest)];
        this.bufferB = new float[Math.multiplyExact(capacity, widest)];
        this.cols = new float[Math.multiplyExact(capacity, colSize)];
        this.pool = new RowParallel(threads);
    }

    /** Logits of {@code batch} examples starting at example {@code from} of {@code inputs}, into {@code logits[batch × classes]}. */
    void logits(float[] inputs, int from, int batch, float[] logits, LayerInputObserver observer) {
        if (batch > capacity) throw new IllegalArgumentException("A batch of " + batch + " over the capacity " + capacity + ".");
        int features = architecture.input().features();
        System.arraycopy(inputs, from * features, bufferA, 0, batch * features);
        float[] x = bufferA, y = bufferB;
        List<Layer> layers = architecture.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            InputShape in = shapes.get(i), out = shapes.get(i + 1);
            if (observer != null) observer.layerInput(i, x, batch, in);
            boolean moved = true;
            switch (layer.spec()) {
                case LayerSpec.Dense d -> {
                    LayerKernels.transpose(classifier.tensor(layer.name() + ".weight"), d.units(), in.features(), transposed[i]);
                    LayerKernels.dense(x, transposed[i], classifier.tensor(layer.name() + ".bias"), y, batch, in.features(), d.units(), pool);
                }
                case LayerSpec.Conv c -> LayerKernels.conv(x, classifier.tensor(layer.name() + ".weight"),
                        classifier.tensor(layer.name() + ".bias"), y, cols, batch, in, c.channels(), c.kernel(), pool);
                case LayerSpec.MaxPool p -> LayerKernels.maxPool(x, y, null, batch, in, p.size(), pool);
                case LayerSpec.Relu r -> LayerKernels.relu(x, y, batch * in.features());
                case LayerSpec.Gelu g -> LayerKernels.gelu(x, y, batch * in.features());
                case LayerSpec.BatchNorm b -> LayerKernels.batchNorm(x, y, batch, in.channels(), in.height() * in.width(),
                        classifier.tensor(layer.name() + ".weight"), classifier.tensor(layer.name() + ".bias"),
                        classifier.tensor(layer.name() + ".running_mean"), classifier.tensor(layer.name() + ".running_var"), LayerSpec.BatchNorm.EPSILON);
                case LayerSpec.Flatten f -> moved = false;
                case LayerSpec.Dropout d -> moved = false;
            }
            if (moved) {
                float[] t = x;
                x = y;
                y = t;
            }
            assert out.features() <= x.length / Math.max(1, capacity);
        }
        System.arraycopy(x, 0, logits, 0, batch * architecture.classes());
    }

    @Override
    public void close() {
        pool.close();
    }
}
