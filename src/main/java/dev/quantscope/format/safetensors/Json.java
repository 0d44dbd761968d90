package dev.quantscope.format.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON reading shared by the safetensors header, the shard index and the Hugging Face side files. */
final class Json {
    private Json() {}

    /**
     * Strict about duplicate keys: a tensor named twice would otherwise silently lose one of its entries.
     * Streaming readers check for data after the top-level object themselves.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** For whole documents: also refuses anything after the top-level value. */
    private static final ObjectReader WHOLE_DOCUMENT = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * A JSON syntax error as a {@link ModelFormatException}; {@code base} is the file offset of the JSON text,
     * so the offset reported is where in the file the parser stopped.
     */
    static ModelFormatException syntaxError(Path file, String field, long base, JacksonException e) {
        JsonLocation loc = e.getLocation();
        long at = loc != null && loc.getByteOffset() >= 0 ? base + loc.getByteOffset() : base;
        return new ModelFormatException(file, field, at, "is not valid JSON: " + withoutSource(e.getOriginalMessage()), e);
    }

    /** Jackson appends where a bracket opened as "(start marker at [Source: REDACTED ...])": noise for a user. */
    private static String withoutSource(String message) {
        if (message == null) return "syntax error";
        int cut = message.indexOf(" (start marker at");
        return cut >= 0 ? message.substring(0, cut) : message;
    }

    /** Reads a whole (small) JSON file whose top level must be an object, as plain Java values. */
    static Map<String, Object> readObjectFile(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new ModelFormatException(file, "file", -1, size + " bytes is larger than the " + maxBytes
                    + "-byte limit for this kind of file");
        }
        JsonNode root;
        try {
            root = WHOLE_DOCUMENT.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            throw syntaxError(file, "file", 0, e);
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(file, "file", 0, "is not a JSON object");
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) plain(root);
        return map;
    }

    /**
     * A JSON value as the plain Java values {@link dev.quantscope.format.Model} metadata uses: Map, List, String,
     * Long (BigInteger beyond the long range), Double, Boolean, or null.
     */
    static Object plain(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) m.put(e.getKey(), plain(e.getValue()));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode e : n) l.add(plain(e));
            return l;
        }
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isNull() || n.isMissingNode()) return null;
        return n.toString();
    }
}
