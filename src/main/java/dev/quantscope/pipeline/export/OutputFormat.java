package dev.quantscope.pipeline.export;

import java.nio.file.Path;
import java.util.Locale;

/** The file an export writes, picked by the output's extension. */
public enum OutputFormat {
    /** A GGUF file llama.cpp loads: every tensor a ggml block type, a float cast, or kept. */
    GGUF(".gguf"),
    /** A safetensors file (Hugging Face names for GGUF Llama sources), dequantized or compressed-tensors packed. */
    SAFETENSORS(".safetensors");

    private final String extension;

    OutputFormat(String extension) { this.extension = extension; }

    public String extension() { return extension; }

    /**
     * The format {@code out}'s extension names.
     * @throws IllegalArgumentException for any other extension
     */
    public static OutputFormat of(Path out) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        for (OutputFormat f : values()) if (name.endsWith(f.extension)) return f;
        throw new IllegalArgumentException("cannot tell the output format of '" + out.getFileName()
                + "': name it .gguf or .safetensors");
    }
}
