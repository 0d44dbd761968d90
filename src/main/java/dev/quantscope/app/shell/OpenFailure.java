package dev.quantscope.app.shell;

import java.nio.file.Path;

/** A model that could not be opened, and why, in words. */
public record OpenFailure(Path path, String message) {
    public String fileName() {
        return path.getFileName() == null ? path.toString() : path.getFileName().toString();
    }
}
