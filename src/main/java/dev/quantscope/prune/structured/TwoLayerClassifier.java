package dev.quantscope.prune.structured;

import dev.quantscope.format.Model;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

/**
 * A two-layer classifier's weights as floats, and its forward pass: logits = W2 · relu(W1 · x + b1) + b2. Small
 * enough (an MNIST MLP is 400k weights) to hold on the heap.
 */
public record TwoLayerClassifier(int inputs, int hidden, int classes, float[] w1, float[] b1, float[] w2, float[] b2) {

    public static TwoLayerClassifier of(Model model, MlpLayers layers) {
        TensorInfo w1 = tensor(model, layers.hiddenWeight()), b1 = tensor(model, layers.hiddenBias());
        TensorInfo w2 = tensor(model, layers.outputWeight()), b2 = tensor(model, layers.outputBias());
        int inputs = Math.toIntExact(w1.shape().rowLength()), hidden = Math.toIntExact(w1.shape().rows());
        int classes = Math.toIntExact(w2.shape().rows());
        if (w2.shape().rowLength() != hidden || b1.parameters() != hidden || b2.parameters() != classes) {
            throw new IllegalArgumentException("The layers " + layers.hiddenWeight() + " " + w1.shape() + " and "
                    + layers.outputWeight() + " " + w2.shape() + " do not form a two-layer classifier.");
        }
        return new TwoLayerClassifier(inputs, hidden, classes, Decoders.decodeAll(w1), Decoders.decodeAll(b1),
                Decoders.decodeAll(w2), Decoders.decodeAll(b2));
    }

    /** relu(W1 · x + b1). */
    public float[] hiddenActivations(float[] x) {
        if (x.length != inputs) throw new IllegalArgumentException("An input of " + x.length + " values for a classifier of " + inputs + ".");
        float[] h = new float[hidden];
        for (int j = 0; j < hidden; j++) {
            double s = b1[j];
            for (int i = 0; i < inputs; i++) s += (double) w1[j * inputs + i] * x[i];
            h[j] = (float) Math.max(0, s);
        }
        return h;
    }

    public float[] logits(float[] x) {
        float[] h = hiddenActivations(x);
        float[] out = new float[classes];
        for (int c = 0; c < classes; c++) {
            double s = b2[c];
            for (int j = 0; j < hidden; j++) s += (double) w2[c * hidden + j] * h[j];
            out[c] = (float) s;
        }
        return out;
    }

    static TensorInfo tensor(Model model, String name) {
        return model.tensor(name).orElseThrow(() -> new IllegalArgumentException("The model has no tensor " + name + "."));
    }
}
