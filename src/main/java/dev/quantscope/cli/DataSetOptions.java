package dev.quantscope.cli;

import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The labelled images a classifier command reads ({@code --images}, {@code --labels}, IDX, plain or gzip) and how
 * their pixels become inputs ({@code --scale}, {@code --mean}, {@code --std}): mixed into {@code accuracy},
 * {@code train} and {@code distill} so that all three read a data set the same way. The validation set of the
 * commands that train is {@link ValidationSetOptions}.
 */
public final class DataSetOptions {

    @Option(names = "--images", required = true, paramLabel = "IDX", description = "IDX image file (plain or .gz).")
    Path images;

    @Option(names = "--labels", required = true, paramLabel = "IDX", description = "IDX label file (plain or .gz).")
    Path labels;

    @Option(names = "--scale", paramLabel = "F", description = "Pixel multiplier (default: 1/255, inputs in [0, 1]).")
    Double scale;

    @Option(names = "--mean", paramLabel = "M", description = "Subtract M after scaling (with --std).")
    Double mean;

    @Option(names = "--std", paramLabel = "S", description = "Divide by S after subtracting --mean.")
    Double std;

    /** Pixels → inputs: x = p · scale, then (x − mean) / std; refused in one sentence when only one of mean and std is given. */
    public InputScaling scaling() {
        double s = scale == null ? InputScaling.UNIT.scale() : scale;
        if (!(s > 0) || Double.isInfinite(s)) throw new IllegalArgumentException("--scale must be a positive number");
        return new InputScaling(s, mean == null ? OptionalDouble.empty() : OptionalDouble.of(mean),
                std == null ? OptionalDouble.empty() : OptionalDouble.of(std));
    }

    /** The images and labels, scaled. */
    public LabeledImages read() throws IOException {
        return LabeledImages.read(images, labels, scaling());
    }

    public Path images() {
        return images;
    }

    public Path labels() {
        return labels;
    }
}
