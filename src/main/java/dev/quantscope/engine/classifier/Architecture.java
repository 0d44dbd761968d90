package dev.quantscope.engine.classifier;

import java.util.ArrayList;
import java.util.List;

/**
 * A classifier's layers in order, from an input of {@code input} to {@code classes} logits (the last layer is the
 * Dense output layer; no softmax, which the loss or the reader applies).
 */
public record Architecture(InputShape input, List<Layer> layers, int classes) {

    public Architecture {
        layers = List.copyOf(layers);
        if (classes < 2) throw new IllegalArgumentException("A classifier of " + classes + " classes.");
        InputShape out = input;
        for (Layer layer : layers) out = outputShape(layer.spec(), out);
        if (out.features() != classes) {
            throw new IllegalArgumentException("The layers end in " + out.features() + " values, not one per class (" + classes + ").");
        }
    }

    /**
     * Parses a SPEC such as {@code fc:256,fc:128} or {@code conv:32,pool,conv:64,pool,fc:128}: each fc and conv is
     * followed by ReLU unless {@code gelu} follows it; {@code conv:C:K} gives a kernel (3 by default), {@code pool} or
     * {@code pool:N} max-pools, {@code bn} normalises the batch, {@code dropout:P} drops; a Flatten goes before the
     * first fc that follows a convolution; the output layer of {@code classes} units is added. Layer names are
     * {@code fc1, conv1, bn1, …} and {@code out}.
     */
    public static Architecture parse(String spec, InputShape input, int classes) {
        return ArchitectureSpec.parse(spec, input, classes);
    }

    /** The SPEC that {@link #parse} reads back to this architecture (the hidden layers, without the output). */
    public String spec() {
        return ArchitectureSpec.format(this);
    }

    /** The shape after each layer; element i is the input of layer i, the last one the output. */
    public List<InputShape> shapes() {
        List<InputShape> shapes = new ArrayList<>(layers.size() + 1);
        InputShape s = input;
        shapes.add(s);
        for (Layer layer : layers) shapes.add(s = outputShape(layer.spec(), s));
        return shapes;
    }

    /** Every parameter and buffer of the model, in layer order, with PyTorch's names and shapes. */
    public List<ParameterTensor> parameters() {
        List<ParameterTensor> all = new ArrayList<>();
        List<InputShape> shapes = shapes();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            InputShape in = shapes.get(i);
            String n = layer.name();
            switch (layer.spec()) {
                case LayerSpec.Dense d -> {
                    all.add(new ParameterTensor(n + ".weight", new long[]{d.units(), in.features()}, true));
                    all.add(new ParameterTensor(n + ".bias", new long[]{d.units()}, true));
                }
                case LayerSpec.Conv c -> {
                    all.add(new ParameterTensor(n + ".weight", new long[]{c.channels(), in.channels(), c.kernel(), c.kernel()}, true));
                    all.add(new ParameterTensor(n + ".bias", new long[]{c.channels()}, true));
                }
                case LayerSpec.BatchNorm b -> {
                    long channels = normalisedChannels(in);
                    all.add(new ParameterTensor(n + ".weight", new long[]{channels}, true));
                    all.add(new ParameterTensor(n + ".bias", new long[]{channels}, true));
                    all.add(new ParameterTensor(n + ".running_mean", new long[]{channels}, false));
                    all.add(new ParameterTensor(n + ".running_var", new long[]{channels}, false));
                }
                case LayerSpec.MaxPool p -> { }
                case LayerSpec.Flatten f -> { }
                case LayerSpec.Relu r -> { }
                case LayerSpec.Gelu g -> { }
                case LayerSpec.Dropout d -> { }
            }
        }
        return List.copyOf(all);
    }

    /** The number of trained weights (batch norm's running statistics not counted, as PyTorch's numel over parameters()). */
    public long parameterCount() {
        long n = 0;
        for (ParameterTensor p : parameters()) if (p.trainable()) n = Math.addExact(n, p.size());
        return n;
    }

    /**
     * Batch norm after a convolution normalises each channel (BatchNorm2d); on a flat vector, each feature
     * (BatchNorm1d): a flat shape is features × 1 × 1, so both are the shape's channels.
     */
    public static int normalisedChannels(InputShape in) {
        return in.channels();
    }

    static InputShape outputShape(LayerSpec spec, InputShape in) {
        return switch (spec) {
            case LayerSpec.Dense d -> InputShape.flat(d.units());
            case LayerSpec.Conv c -> {
                if (in.height() < 1 || in.width() < 1) throw new IllegalArgumentException("A convolution over an empty image.");
                yield new InputShape(c.channels(), in.height(), in.width());
            }
            case LayerSpec.MaxPool p -> {
                if (in.height() < p.size() || in.width() < p.size()) {
                    throw new IllegalArgumentException("A " + p.size() + "×" + p.size() + " pooling of a " + in.height() + "×" + in.width() + " image.");
                }
                yield new InputShape(in.channels(), in.height() / p.size(), in.width() / p.size());
            }
            case LayerSpec.Flatten f -> InputShape.flat(in.features());
            case LayerSpec.Relu r -> in;
            case LayerSpec.Gelu g -> in;
            case LayerSpec.BatchNorm b -> in;
            case LayerSpec.Dropout d -> in;
        };
    }
}
