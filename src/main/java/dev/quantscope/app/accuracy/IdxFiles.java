package dev.quantscope.app.accuracy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** How the classifier pages name and pair IDX files, which MNIST and Fashion-MNIST name alike. */
public final class IdxFiles {
    private IdxFiles() {}

    /** "fashion-mnist/t10k-images-idx3-ubyte.gz": the folder tells MNIST's files from Fashion-MNIST's. */
    public static String shortName(Path p) {
        Path parent = p.toAbsolutePath().getParent();
        Path name = p.getFileName();
        String file = name == null ? p.toString() : name.toString();
        return parent == null || parent.getFileName() == null ? file : parent.getFileName() + "/" + file;
    }

    /** MNIST's naming: {@code t10k-images-idx3-ubyte.gz} goes with {@code t10k-labels-idx1-ubyte.gz}, when that file is there. */
    public static Optional<Path> labelsBeside(Path images) {
        Path name = images.getFileName();
        if (name == null || !name.toString().contains("images-idx3")) return Optional.empty();
        Path candidate = images.resolveSibling(name.toString().replace("images-idx3", "labels-idx1"));
        return Files.isRegularFile(candidate) ? Optional.of(candidate) : Optional.empty();
    }
}
