package dev.quantscope.format;

import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.format.onnx.OnnxReader;
import dev.quantscope.format.pytorch.PytorchReader;
import dev.quantscope.format.safetensors.SafetensorsReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Opens any supported model file or Hugging Face model folder, choosing the reader by content, then name. */
public final class ModelOpener {
    private ModelOpener() {}

    public static Model open(Path path) throws IOException {
        if (!Files.exists(path)) throw ModelFormatException.ofFile(path, "no such file or folder");
        if (Files.isDirectory(path)) return SafetensorsReader.open(path);
        return switch (detect(path)) {
            case GGUF -> GgufReader.open(path);
            case SAFETENSORS -> SafetensorsReader.open(path);
            case PYTORCH -> PytorchReader.open(path);
            case ONNX -> OnnxReader.open(path);
        };
    }

    /** Chooses a format from the file's first bytes, falling back to its extension. */
    public static ModelFormat detect(Path file) throws IOException {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw ModelFormatException.ofFile(file, "no such file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F') return ModelFormat.GGUF;
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return ModelFormat.PYTORCH;
        if (name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json")) return ModelFormat.SAFETENSORS;
        if (name.endsWith(".gguf")) return ModelFormat.GGUF;
        if (name.endsWith(".onnx")) return ModelFormat.ONNX;
        if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin") || name.endsWith(".ckpt")
                || name.endsWith(".state_dict")) {
            return ModelFormat.PYTORCH;
        }
        // safetensors: an 8-byte little-endian header length followed by a JSON object
        if (n >= 9 && head[8] == '{') return ModelFormat.SAFETENSORS;
        throw ModelFormatException.ofFile(file,
                "not a model file QuantScope reads (GGUF, safetensors, a PyTorch zip checkpoint or ONNX)");
    }
}
