package dev.quantscope.engine.tokenizer;

import dev.quantscope.format.Model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Builds the tokenizer of a model: from GGUF metadata, or from a Hugging Face folder's tokenizer.json. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * The model's tokenizer. GGUF files carry it in {@code tokenizer.ggml.*}; for a Hugging Face model the
     * reader keeps only a summary of tokenizer.json, so the file is read from the model's folder.
     */
    public static Tokenizer forModel(Model model) throws IOException {
        if (model.metadata().containsKey("tokenizer.ggml.model")) return fromGguf(model.metadata());
        Path source = model.source();
        Path folder = Files.isDirectory(source) ? source : source.toAbsolutePath().getParent();
        Path json = folder == null ? null : folder.resolve("tokenizer.json");
        if (json == null || !Files.isRegularFile(json)) {
            throw new IOException(source + ": no tokenizer: neither tokenizer.ggml.* metadata nor a tokenizer.json next to it");
        }
        return fromHuggingFace(json);
    }

    /** From GGUF metadata ({@code tokenizer.ggml.model} "llama", "gpt2" or "bert"). */
    public static Tokenizer fromGguf(Map<String, Object> metadata) {
        return GgufVocabularyReader.read(metadata);
    }

    /**
     * From a Hugging Face tokenizer.json (BPE, byte-level or SentencePiece-style with byte fallback). Special
     * token flags come from tokenizer_config.json next to it when present.
     */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) throws IOException {
        return HfTokenizerReader.read(tokenizerJson);
    }
}
