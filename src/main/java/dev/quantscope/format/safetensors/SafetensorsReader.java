package dev.quantscope.format.safetensors;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;

/** Placeholder until the safetensors reader lands: refuses every file with a clear message. */
public final class SafetensorsReader {
    private SafetensorsReader() {}

    public static Model open(Path path) throws IOException {
        throw new ModelFormatException(path, "format", -1, "safetensors files cannot be read yet");
    }
}
