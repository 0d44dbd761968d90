package dev.quantscope.app.document;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The IDX data sets a classifier document works with, shared by its pages: the training split (Distill page) and the
 * test split (Accuracy page, the Distill page's validation, the Trade-off page's accuracy). Each is an images file
 * and a labels file. Fashion-MNIST is proposed: Debian's copy where it is installed, else the one beside a development
 * checkout, else (the test split only) the copy packed into the application. FX thread only.
 */
public final class ClassifierData {
    private static final List<Path> FASHION_MNIST_FOLDERS = List.of(
            Path.of("/usr/share/datasets/fashion-mnist"), Path.of("../shared/data/fashion-mnist"));
    /** Where the build packs assets/data/fashion-mnist (the test split) into the jar. */
    private static final String BUNDLED = "fashion-mnist/";
    private static final String TEST = "t10k";

    /** An images file and its labels file. */
    public record IdxPair(Path images, Path labels) {}

    private final ObjectProperty<Optional<IdxPair>> train = new SimpleObjectProperty<>(find("train"));
    private final ObjectProperty<Optional<IdxPair>> test = new SimpleObjectProperty<>(find(TEST).or(ClassifierData::bundledTest));

    public ObjectProperty<Optional<IdxPair>> trainProperty() { return train; }

    public ObjectProperty<Optional<IdxPair>> testProperty() { return test; }

    private static Optional<IdxPair> find(String split) {
        for (Path folder : FASHION_MNIST_FOLDERS) {
            Optional<IdxPair> pair = pairIn(folder, split);
            if (pair.isPresent()) return pair;
        }
        return Optional.empty();
    }

    private static Optional<IdxPair> pairIn(Path folder, String split) {
        Path images = folder.resolve(split + "-images-idx3-ubyte.gz"), labels = folder.resolve(split + "-labels-idx1-ubyte.gz");
        return Files.isRegularFile(images) && Files.isRegularFile(labels)
                ? Optional.of(new IdxPair(images.toAbsolutePath().normalize(), labels.toAbsolutePath().normalize()))
                : Optional.empty();
    }

    /** The jar's test split, copied once per run into a temporary folder: the readers take files (4.4 MB). */
    static synchronized Optional<IdxPair> bundledTest() {
        try {
            Path folder = BundledCopy.folder();
            Optional<IdxPair> copied = pairIn(folder, TEST);
            if (copied.isPresent()) return copied;
            for (String kind : List.of("-images-idx3-ubyte.gz", "-labels-idx1-ubyte.gz")) {
                try (InputStream in = ClassifierData.class.getResourceAsStream(BUNDLED + TEST + kind)) {
                    if (in == null) return Optional.empty();   // a build without the assets
                    Path part = Files.createTempFile(folder, TEST, ".part");
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, folder.resolve(TEST + kind), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            return pairIn(folder, TEST);
        } catch (IOException e) {
            return Optional.empty();   // no data set proposed: the pages ask the user to choose one
        }
    }

    /** One temporary folder per run, removed with its files when the application exits. */
    private static final class BundledCopy {
        private static Path folder;

        static Path folder() throws IOException {
            if (folder == null) {
                Path made = Files.createTempDirectory("quantscope-fashion-mnist");
                made.toFile().deleteOnExit();
                for (String kind : List.of("-images-idx3-ubyte.gz", "-labels-idx1-ubyte.gz")) {
                    made.resolve(TEST + kind).toFile().deleteOnExit();
                }
                folder = made;
            }
            return folder;
        }
    }
}
