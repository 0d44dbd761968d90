package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.Layer;
import dev.quantscope.engine.classifier.LayerSpec;
import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.train.optim.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * A classifier at training time: its layers over the classifier's live weight arrays, an activation and a gradient
 * buffer per layer for up to {@code maxBatch} examples (allocated once: a step allocates nothing), and a pool of
 * {@code threads} threads that each layer splits its work over. Close it to stop the pool.
 */
public final class Network implements AutoCloseable {
    /** Floats past the end of each buffer that a masked vector may span (any vector length up to 2048 bits). */
    static final int PAD = 64;

    private final Classifier model;
    private final List<TrainLayer> layers;
    private final List<Parameter> parameters;
    private final float[][] activations, gradients;
    private final int maxBatch;
    private final RowParallel pool;
    private final Context context;

    /** @param vector the matrix products through the vector kernel (true) or the scalar reference */
    public Network(Classifier model, int maxBatch, int threads, long seed, boolean vector) {
        this.model = model;
        this.maxBatch = maxBatch;
        Architecture a = model.architecture();
        List<InputShape> shapes = a.shapes();
        List<TrainLayer> built = new ArrayList<>();
        List<Parameter> params = new ArrayList<>();
        for (int i = 0; i < a.layers().size(); i++) {
            Layer layer = a.layers().get(i);
            InputShape in = shapes.get(i);
            String n = layer.name();
            TrainLayer t = switch (layer.spec()) {
                case LayerSpec.Dense d -> new DenseLayer(in, d.units(), parameter(n + ".weight", true), parameter(n + ".bias", false), maxBatch);
                case LayerSpec.Conv c -> new ConvLayer(in, c.channels(), c.kernel(), parameter(n + ".weight", true), parameter(n + ".bias", false), maxBatch);
                case LayerSpec.MaxPool p -> new MaxPoolLayer(in, p.size(), maxBatch);
                case LayerSpec.Relu r -> new ReluLayer(in);
                case LayerSpec.Gelu g -> new GeluLayer(in);
                case LayerSpec.Flatten f -> new FlattenLayer(in);
                case LayerSpec.BatchNorm b -> new BatchNormLayer(in, parameter(n + ".weight", false), parameter(n + ".bias", false),
                        model.tensor(n + ".running_mean"), model.tensor(n + ".running_var"), maxBatch);
                case LayerSpec.Dropout d -> new DropoutLayer(in, d.rate(), i, maxBatch);
            };
            built.add(t);
            params.addAll(t.parameters());
        }
        this.layers = List.copyOf(built);
        this.parameters = List.copyOf(params);
        this.activations = new float[shapes.size()][];
        this.gradients = new float[shapes.size()][];
        for (int i = 0; i < shapes.size(); i++) {
            // a vector's worth more than the batch needs: a masked vector load or store that reaches past an array's
            // end (the last row of a buffer) goes through the Vector API's slow path, which allocates
            activations[i] = new float[Math.addExact(Math.multiplyExact(maxBatch, shapes.get(i).features()), PAD)];
            if (i > 0) gradients[i] = new float[activations[i].length];
        }
        this.pool = new RowParallel(threads);
        this.context = new Context(pool, vector, seed);
    }

    private Parameter parameter(String name, boolean decays) {
        return Parameter.of(name, model.tensor(name), decays);
    }

    public Classifier model() {
        return model;
    }

    /** The trainable parameters (over the classifier's arrays) with their gradients, in layer order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Runs the {@code batch} examples laid out one after another in {@code inputs} ({@code batch × features}, gathered
     * and augmented by the caller) forward; returns the logits buffer ({@code batch × classes} valid; overwritten by the
     * next call).
     */
    public float[] forward(float[] inputs, int batch, boolean training, long step) {
        if (batch > maxBatch) throw new IllegalArgumentException("A batch of " + batch + " over the " + maxBatch + " the network was made for.");
        System.arraycopy(inputs, 0, activations[0], 0, Math.multiplyExact(batch, model.architecture().input().features()));
        context.step(step);
        for (int i = 0; i < layers.size(); i++) layers.get(i).forward(activations[i], activations[i + 1], batch, training, context);
        return activations[layers.size()];
    }

    /** Fills every parameter's gradient from d(loss)/d(logits) of the last {@link #forward} (which must have been a training one). */
    public void backward(float[] logitGradient, int batch) {
        int last = layers.size();
        System.arraycopy(logitGradient, 0, gradients[last], 0, batch * model.architecture().classes());
        for (int i = last - 1; i >= 0; i--) {
            layers.get(i).backward(activations[i], activations[i + 1], gradients[i + 1], i == 0 ? null : gradients[i], batch, context);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
