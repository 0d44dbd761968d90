package dev.quantscope.format.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small summary of a Hugging Face {@code tokenizer.json}: the tokenizer model type, vocabulary size, number of
 * merges and added tokens. The file is streamed and only counted, because a vocabulary can hold hundreds of
 * thousands of entries that have no place in model metadata.
 */
public final class TokenizerSummary {
    private TokenizerSummary() {}

    /**
     * @return a map with "model_type" (when the file names one), "vocab_size", "merges" and "added_tokens"
     */
    public static Map<String, Object> summarize(Path file) throws IOException {
        String modelType = null;
        long vocab = 0;
        long merges = 0;
        long added = 0;
        try (InputStream in = Files.newInputStream(file); JsonParser p = Json.MAPPER.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ModelFormatException(file, "file", 0, "is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                if (key.equals("added_tokens") && v == JsonToken.START_ARRAY) {
                    added = countElements(p);
                } else if (key.equals("model") && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String mk = p.currentName();
                        JsonToken mv = p.nextToken();
                        switch (mk) {
                            case "type" -> {
                                if (mv == JsonToken.VALUE_STRING) modelType = p.getText();
                            }
                            // BPE and WordPiece keep an object token -> id, Unigram an array of [token, score]
                            case "vocab" -> vocab = mv == JsonToken.START_OBJECT ? countFields(p)
                                    : mv == JsonToken.START_ARRAY ? countElements(p) : 0;
                            case "merges" -> merges = mv == JsonToken.START_ARRAY ? countElements(p) : 0;
                            default -> p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw Json.syntaxError(file, "file", 0, e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (modelType != null) out.put("model_type", modelType);
        out.put("vocab_size", vocab);
        out.put("merges", merges);
        out.put("added_tokens", added);
        return out;
    }

    /** Counts the elements of the array whose START_ARRAY is the current token, leaving it at END_ARRAY. */
    private static long countElements(JsonParser p) throws IOException {
        long n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
            n++;
        }
        return n;
    }

    /** Counts the fields of the object whose START_OBJECT is the current token, leaving it at END_OBJECT. */
    private static long countFields(JsonParser p) throws IOException {
        long n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            p.nextToken();
            p.skipChildren();
            n++;
        }
        return n;
    }
}
