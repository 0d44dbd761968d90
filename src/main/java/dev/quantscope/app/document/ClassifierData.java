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
 * checkout, else (the test split only) the copy packed into the application. A model whose file name says it reads
 * MNIST digits (ggml's MNIST MLP) is offered MNIST's test digits instead, packed into the application too, and no
 * training split (there is no MNIST package to take one from): garments would put it at chance. FX thread only.
 */
public final class ClassifierData {
    private static final List<Path> FASHION_MNIST_FOLDERS = List.of(
            Path.of("/usr/share/datasets/fashion-mnist"), Path.of("../shared/data/fashion-mnist"));
    /** Where the build packs assets/data/fashion-mnist and assets/data/mnist (test splits) into the jar. */
    private static final String FASHION = "fashion-mnist", DIGITS = "mnist";
    private static final String TEST = "t10k";
    /** A split's two files: {@code SPLIT-images-idx3-ubyte.gz} and {@code SPLIT-labels-idx1-ubyte.gz}. */
    private static final String IMAGES = "-images-idx3-ubyte.gz", LABELS = "-labels-idx1-ubyte.gz";
    private static final List<String> FILES = List.of(IMAGES, LABELS);

    /** An images file and its labels file. */
    public record IdxPair(Path images, Path labels) {}

    private final ObjectProperty<Optional<IdxPair>> train;
    private final ObjectProperty<Optional<IdxPair>> test;

    private final boolean digits;

    /**
     * Proposes the installed copies at once (a look at two folders); the copies packed into the application are
     * offered by {@link #offerBundledTestSet()} once the model is known to be a classifier, so that opening a Llama
     * copies nothing.
     *
     * @param model the open model's file, whose name tells digits from garments
     */
    public ClassifierData(Path model) {
        digits = readsDigits(model);
        train = new SimpleObjectProperty<>(digits ? Optional.empty() : find("train"));
        test = new SimpleObjectProperty<>(digits ? Optional.empty() : find(TEST));
    }

    /** When no test set is chosen yet, the packed copy of MNIST's digits or Fashion-MNIST's garments becomes it. */
    public void offerBundledTestSet() {
        if (test.get().isEmpty()) test.set(bundledTest(digits ? DIGITS : FASHION));
    }

    /** "mnist" in the name without "fashion": ggml-mnist-mlp.state_dict, mnist_cnn.pt. */
    static boolean readsDigits(Path model) {
        Path name = model.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(java.util.Locale.ROOT);
        return n.contains("mnist") && !n.contains("fashion");
    }

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
        Path images = folder.resolve(split + IMAGES), labels = folder.resolve(split + LABELS);
        return Files.isRegularFile(images) && Files.isRegularFile(labels)
                ? Optional.of(new IdxPair(images.toAbsolutePath().normalize(), labels.toAbsolutePath().normalize()))
                : Optional.empty();
    }

    /** The jar's test split of {@code set}, copied once per run into a temporary folder: the readers take files. */
    static synchronized Optional<IdxPair> bundledTest(String set) {
        try {
            Path folder = BundledCopy.folder(set);
            Optional<IdxPair> copied = pairIn(folder, TEST);
            if (copied.isPresent()) return copied;
            for (String kind : FILES) {
                try (InputStream in = ClassifierData.class.getResourceAsStream(set + "/" + TEST + kind)) {
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

    /** One temporary folder per data set and run, removed with its files when the application exits. */
    private static final class BundledCopy {
        private static final java.util.Map<String, Path> FOLDERS = new java.util.HashMap<>();

        static Path folder(String set) throws IOException {
            Path folder = FOLDERS.get(set);
            if (folder == null) {
                folder = Files.createTempDirectory("quantscope-" + set);
                folder.toFile().deleteOnExit();
                for (String kind : FILES) {
                    folder.resolve(TEST + kind).toFile().deleteOnExit();
                }
                FOLDERS.put(set, folder);
            }
            return folder;
        }
    }
}
