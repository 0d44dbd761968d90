package dev.quantscope.format.onnx;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;

/** Placeholder until the onnx reader lands: refuses every file with a clear message. */
public final class OnnxReader {
    private OnnxReader() {}

    public static Model open(Path path) throws IOException {
        throw new ModelFormatException(path, "format", -1, "onnx files cannot be read yet");
    }
}
