package dev.quantscope.format.pytorch;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;

/** Placeholder until the pytorch reader lands: refuses every file with a clear message. */
public final class PytorchReader {
    private PytorchReader() {}

    public static Model open(Path path) throws IOException {
        throw new ModelFormatException(path, "format", -1, "pytorch files cannot be read yet");
    }
}
