package dev.quantscope.train.nn;

import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.train.optim.Parameter;

import java.util.List;

/**
 * One layer at training time over a mini-batch laid out NCHW. {@link #forward} keeps what {@link #backward} needs;
 * {@link #backward} overwrites the gradients of the layer's parameters (one backward per step) and, unless
 * {@code dx} is null (the first layer), writes the gradient of the layer's input.
 */
public sealed interface TrainLayer permits DenseLayer, ConvLayer, MaxPoolLayer, ReluLayer, GeluLayer, FlattenLayer,
        BatchNormLayer, DropoutLayer {

    InputShape input();

    InputShape output();

    /** @param training batch statistics and dropout on (off: inference, as {@code Classifier.logits}) */
    void forward(float[] x, float[] y, int batch, boolean training, Context context);

    void backward(float[] x, float[] y, float[] dy, float[] dx, int batch, Context context);

    /** The trainable parameters with their gradient arrays; empty for layers without. */
    default List<Parameter> parameters() {
        return List.of();
    }
}
