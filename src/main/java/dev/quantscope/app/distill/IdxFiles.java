package dev.quantscope.app.distill;

import dev.quantscope.distill.StudentRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** File names the page proposes: the labels beside a chosen IDX images file, and an exported student's name. */
final class IdxFiles {
    private IdxFiles() {}

    /**
     * The labels file MNIST's naming puts beside {@code images} ({@code train-images-idx3-ubyte.gz} →
     * {@code train-labels-idx1-ubyte.gz}), when it is there.
     */
    static Optional<Path> labelsBeside(Path images) {
        Path name = images.getFileName();
        if (name == null || !name.toString().contains("images-idx3")) return Optional.empty();
        Path labels = images.resolveSibling(name.toString().replace("images-idx3", "labels-idx1"));
        return Files.isRegularFile(labels) ? Optional.of(labels) : Optional.empty();
    }

    /** {@code fc:128,fc:64} distilled → {@code student-fc128-fc64-distilled.safetensors}. */
    static String exportName(String spec, StudentRun which) {
        String layers = spec.toLowerCase(Locale.ROOT).replace(":", "").replace(",", "-").replaceAll("[^a-z0-9.-]", "");
        String kind = switch (which) {
            case DISTILLED -> "distilled";
            case LABELS_ONLY -> "labels-only";
        };
        return "student-" + (layers.isEmpty() ? "linear" : layers) + "-" + kind + ".safetensors";
    }
}
