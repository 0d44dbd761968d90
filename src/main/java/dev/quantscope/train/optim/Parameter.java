package dev.quantscope.train.optim;

import java.util.Arrays;

/**
 * One trainable array and the gradient a backward pass accumulates into it, both of the same length. {@code decays}
 * says whether weight decay applies: weights yes, biases and normalisation scales usually not (as in most training
 * recipes, so that decay does not pull a layer's offsets toward zero).
 */
public record Parameter(String name, float[] values, float[] gradients, boolean decays) {

    public Parameter {
        if (values.length != gradients.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values but " + gradients.length + " gradients.");
        }
    }

    /** A parameter over {@code values} with a fresh zero gradient. */
    public static Parameter of(String name, float[] values, boolean decays) {
        return new Parameter(name, values, new float[values.length], decays);
    }

    public int size() {
        return values.length;
    }

    public void zeroGradients() {
        Arrays.fill(gradients, 0f);
    }
}
