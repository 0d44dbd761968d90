package dev.quantscope.engine.classifier;

import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A labelled data set in memory: {@code count} examples of {@code shape}, inputs one after another (already scaled),
 * labels in [0, classes). The pixels as read are kept too (for showing images).
 */
public record LabeledImages(InputShape shape, float[] inputs, byte[] pixels, int[] labels, int classes) {

    public LabeledImages {
        int features = shape.features();
        if (inputs.length != Math.multiplyExact(labels.length, features)) {
            throw new IllegalArgumentException(inputs.length + " input values for " + labels.length + " examples of " + features + ".");
        }
        if (pixels.length != inputs.length) throw new IllegalArgumentException(pixels.length + " pixels for " + inputs.length + " inputs.");
        if (classes < 2) throw new IllegalArgumentException("A data set of " + classes + " classes.");
        for (int label : labels) {
            if (label < 0 || label >= classes) throw new IllegalArgumentException("A label " + label + " outside [0, " + classes + ").");
        }
    }

    public int count() {
        return labels.length;
    }

    /** Examples [from, to) as a new data set. */
    public LabeledImages slice(int from, int to) {
        if (from < 0 || to > count() || from > to) {
            throw new IllegalArgumentException("Examples " + from + " to " + to + " of a data set of " + count() + ".");
        }
        int f = shape.features();
        int a = Math.multiplyExact(from, f), b = Math.multiplyExact(to, f);
        return new LabeledImages(shape, Arrays.copyOfRange(inputs, a, b), Arrays.copyOfRange(pixels, a, b),
                Arrays.copyOfRange(labels, from, to), classes);
    }

    /** Reads IDX image and label files (MNIST's format, plain or gzip): the counts must agree; classes = max label + 1 (at least 2). */
    public static LabeledImages read(Path images, Path labels, InputScaling scaling) throws IOException {
        IdxFile img = IdxFile.read(images, 3, "image");
        IdxFile lab = IdxFile.read(labels, 1, "label");
        if (img.dims()[0] != lab.dims()[0]) {
            throw ModelFormatException.ofFile(labels, "holds " + lab.dims()[0] + " labels, but " + images.getFileName()
                    + " holds " + img.dims()[0] + " images");
        }
        if (img.dims()[0] == 0) throw ModelFormatException.ofFile(images, "holds no images");
        int[] ys = new int[lab.data().length];
        int max = 0;
        for (int i = 0; i < ys.length; i++) max = Math.max(max, ys[i] = lab.data()[i] & 0xff);
        float[] table = new float[256];
        for (int p = 0; p < 256; p++) table[p] = scaling.apply(p);
        byte[] px = img.data();
        float[] xs = new float[px.length];
        for (int i = 0; i < px.length; i++) xs[i] = table[px[i] & 0xff];
        return new LabeledImages(InputShape.image(img.dims()[1], img.dims()[2]), xs, px, ys, Math.max(2, max + 1));
    }
}
