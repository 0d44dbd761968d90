package dev.quantscope.engine.classifier;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A labelled data set in memory: {@code count} examples of {@code shape}, inputs one after another (already scaled),
 * labels in [0, classes). The pixels as read are kept too (for showing images).
 */
public record LabeledImages(InputShape shape, float[] inputs, byte[] pixels, int[] labels, int classes) {

    public int count() {
        return labels.length;
    }

    /** Examples [from, to) as a new data set. */
    public LabeledImages slice(int from, int to) {
        throw new UnsupportedOperationException("API draft");
    }

    /** Reads IDX image and label files (MNIST's format, plain or gzip): the counts must agree; classes = max label + 1 (at least 2). */
    public static LabeledImages read(Path images, Path labels, InputScaling scaling) throws IOException {
        throw new UnsupportedOperationException("API draft");
    }
}
