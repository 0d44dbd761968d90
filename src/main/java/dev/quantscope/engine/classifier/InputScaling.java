package dev.quantscope.engine.classifier;

import java.util.OptionalDouble;

/** Pixel bytes to model inputs: x = p · scale, then (x − mean) / std when both are given. */
public record InputScaling(double scale, OptionalDouble mean, OptionalDouble std) {

    /** Inputs in [0, 1], as ggml's MNIST MLP expects. */
    public static final InputScaling UNIT = new InputScaling(1 / 255.0, OptionalDouble.empty(), OptionalDouble.empty());

    public InputScaling {
        if (mean.isPresent() != std.isPresent()) throw new IllegalArgumentException("--mean and --std go together.");
        if (std.isPresent() && !(std.getAsDouble() > 0)) throw new IllegalArgumentException("--std must be positive.");
    }

    public float apply(int pixel) {
        double x = pixel * scale;
        return (float) (mean.isPresent() ? (x - mean.getAsDouble()) / std.getAsDouble() : x);
    }
}
