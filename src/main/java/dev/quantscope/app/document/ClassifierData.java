package dev.quantscope.app.document;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The IDX data sets a classifier document works with, shared by its pages: the training split (Distill page) and the
 * test split (Accuracy page, the Distill page's validation, the Trade-off page's accuracy). Each is an images file
 * and a labels file; empty until chosen, except that Fashion-MNIST is proposed where it is installed. FX thread only.
 */
public final class ClassifierData {
    /** Debian's dataset-fashion-mnist, then the copy beside a development checkout. */
    private static final List<Path> FASHION_MNIST_FOLDERS = List.of(
            Path.of("/usr/share/datasets/fashion-mnist"), Path.of("../shared/data/fashion-mnist"));

    /** An images file and its labels file. */
    public record IdxPair(Path images, Path labels) {}

    private final ObjectProperty<Optional<IdxPair>> train = new SimpleObjectProperty<>(find("train"));
    private final ObjectProperty<Optional<IdxPair>> test = new SimpleObjectProperty<>(find("t10k"));

    public ObjectProperty<Optional<IdxPair>> trainProperty() { return train; }

    public ObjectProperty<Optional<IdxPair>> testProperty() { return test; }

    private static Optional<IdxPair> find(String split) {
        for (Path folder : FASHION_MNIST_FOLDERS) {
            Path images = folder.resolve(split + "-images-idx3-ubyte.gz"), labels = folder.resolve(split + "-labels-idx1-ubyte.gz");
            if (Files.isRegularFile(images) && Files.isRegularFile(labels)) return Optional.of(new IdxPair(images.toAbsolutePath().normalize(), labels.toAbsolutePath().normalize()));
        }
        return Optional.empty();
    }
}
