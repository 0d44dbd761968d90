package dev.quantscope.cli;

import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --val-images} and {@code --val-labels}, the held-out set that {@code train} and {@code distill} validate on
 * after each epoch (for early stopping and keep-best); scaled as the training set ({@link DataSetOptions}).
 */
public final class ValidationSetOptions {

    @Option(names = "--val-images", paramLabel = "IDX", description = "IDX images to validate on after each epoch (with --val-labels).")
    Path images;

    @Option(names = "--val-labels", paramLabel = "IDX", description = "IDX labels of --val-images.")
    Path labels;

    /** The validation set, or empty when neither option is given; one without the other is refused in one sentence. */
    public Optional<LabeledImages> read(InputScaling scaling) throws IOException {
        if ((images == null) != (labels == null)) throw new IllegalArgumentException("--val-images and --val-labels go together");
        if (images == null) return Optional.empty();
        return Optional.of(LabeledImages.read(images, labels, scaling));
    }
}
