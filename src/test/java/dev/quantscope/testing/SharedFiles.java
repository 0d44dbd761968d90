package dev.quantscope.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Locates ../shared (real models and reference vectors) for tests. */
public final class SharedFiles {
    private SharedFiles() {}

    public static Path root() {
        return Path.of(System.getProperty("quantscope.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** A file under ../shared, which must exist: a missing reference file is a failure, not a skip. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        assertTrue(Files.isRegularFile(p), "missing shared test file " + p);
        return p;
    }
}
