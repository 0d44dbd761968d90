package dev.quantscope.format.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quantscope.format.ByteCursor;
import dev.quantscope.format.FileStart;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.Shape;

import java.io.IOException;
import java.nio.ByteOrder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the header of one .safetensors file: an 8-byte little-endian length N, N bytes of JSON,
 * then the data buffer. Every entry is checked against the dtype, its shape and the data buffer's size with
 * overflow-checked arithmetic, so a truncated or hostile file fails with a {@link ModelFormatException} naming
 * the file, the field and the byte offset.
 */
public final class SafetensorsHeaderParser {
    private SafetensorsHeaderParser() {}

    /** Larger headers are refused before anything is allocated (real headers are kilobytes to a few MB). */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    static final String METADATA_KEY = "__metadata__";

    public static SafetensorsHeader parse(Path file, MemorySegment seg) throws ModelFormatException {
        long size = seg.byteSize();
        if (!plausibleLength(seg) && !jsonAfterLength(seg)) {
            // Text or another format named .safetensors: what its first bytes would mean as a length says nothing.
            throw ModelFormatException.notOfKind(file, "a safetensors file",
                    FileStart.itStartsWith(seg, 10, "an 8-byte header length and a JSON object"), "header length", 0);
        }
        ByteCursor in = new ByteCursor(file, seg, 0);
        long n = in.u64AsLong("header length");
        if (n > MAX_HEADER_BYTES) {
            throw in.error("header length", 0, "header of " + n + " bytes exceeds the limit of " + MAX_HEADER_BYTES);
        }
        if (n > size - 8) {
            throw in.error("header length", 0, "header of " + n + " bytes does not fit in the " + (size - 8)
                    + " bytes after the length (truncated?)");
        }
        if (n < 2) throw in.error("header", 8, "a header of " + n + " bytes cannot hold a JSON object");
        byte[] json = seg.asSlice(8, n).toArray(Layouts.I8);
        long dataLength = size - 8 - n;

        List<SafetensorsEntry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw in.error("header", 8, "is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                long at = 8 + Math.max(0, p.currentTokenLocation().getByteOffset());
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (name.equals(METADATA_KEY)) {
                    metadata.putAll(metadata(file, value, at));
                } else {
                    entries.add(entry(file, name, value, at, dataLength));
                }
            }
            if (t != JsonToken.END_OBJECT) throw in.error("header", 8, "is not a JSON object");
            if (p.nextToken() != null) {
                long at = 8 + Math.max(0, p.currentTokenLocation().getByteOffset());
                throw in.error("header", at, "has data after the JSON object");
            }
        } catch (JacksonException e) {
            throw Json.syntaxError(file, "header", 8, e);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            // parsing an in-memory array performs no I/O; anything else here is a malformed header
            throw new ModelFormatException(file, "header", 8, e.getMessage(), e);
        }
        return new SafetensorsHeader(file, n, entries, metadata);
    }

    /** The first 8 bytes, read as the header length, fit the file and the limit. */
    private static boolean plausibleLength(MemorySegment seg) {
        if (seg.byteSize() < 8) return false;
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        return n >= 0 && n <= MAX_HEADER_BYTES && n <= seg.byteSize() - 8;
    }

    /** A safetensors file's JSON header opens with '{' right after the length (blanks before it are allowed). */
    private static boolean jsonAfterLength(MemorySegment seg) {
        for (long i = 8; i < Math.min(seg.byteSize(), 8 + 64); i++) {
            byte b = seg.get(ValueLayout.JAVA_BYTE, i);
            if (b == '{') return true;
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        }
        return false;
    }

    /**
     * The specification says {@code __metadata__} maps strings to strings. Non-string values are kept as their
     * JSON text rather than refused: they do no harm, and refusing the weights over them would not help anyone.
     */
    private static Map<String, String> metadata(Path file, JsonNode value, long at) throws ModelFormatException {
        if (!value.isObject()) {
            throw new ModelFormatException(file, METADATA_KEY, at, "must be a JSON object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            JsonNode v = e.getValue();
            out.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
        }
        return out;
    }

    private static SafetensorsEntry entry(Path file, String name, JsonNode v, long at, long dataLength)
            throws ModelFormatException {
        String field = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw new ModelFormatException(file, field, at, "must be a JSON object with dtype, shape and data_offsets");
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new ModelFormatException(file, field + " dtype", at, "is missing or not a string");
        }
        SafetensorsDType type = SafetensorsDType.of(dt.textValue()).orElseThrow(() -> new ModelFormatException(
                file, field + " dtype", at, "unknown dtype '" + dt.textValue() + "'"));

        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new ModelFormatException(file, field + " shape", at, "is missing or not an array");
        }
        if (sh.size() > Shape.MAX_DIMS) {
            throw new ModelFormatException(file, field + " shape", at, sh.size() + " dimensions (at most "
                    + Shape.MAX_DIMS + ")");
        }
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, field + " shape[" + i + "]", at, sh.get(i));
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException overflow) {
                throw new ModelFormatException(file, field + " shape", at, "element count overflows");
            }
        }

        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new ModelFormatException(file, field + " data_offsets", at, "is missing or not an array of two offsets");
        }
        long begin = nonNegativeLong(file, field + " data_offsets[0]", at, off.get(0));
        long end = nonNegativeLong(file, field + " data_offsets[1]", at, off.get(1));

        DType d = type.dtype();
        if (elements % d.blockElements() != 0) {
            throw new ModelFormatException(file, field + " shape", at, elements + " elements of " + type
                    + " do not fill a whole number of bytes");
        }
        long bytes;
        try {
            bytes = d.byteSize(elements);
        } catch (ArithmeticException overflow) {
            throw new ModelFormatException(file, field + " shape", at, "byte size overflows");
        }
        if (begin > end) {
            throw new ModelFormatException(file, field + " data_offsets", at, "begin " + begin + " is after end " + end);
        }
        if (end > dataLength) {
            throw new ModelFormatException(file, field + " data_offsets", at, "end " + end
                    + " runs past the end of the data buffer (" + dataLength + " bytes; truncated?)");
        }
        if (end - begin != bytes) {
            throw new ModelFormatException(file, field + " data_offsets", at, "span " + (end - begin)
                    + " bytes, but " + elements + " elements of " + type + " take " + bytes);
        }
        return new SafetensorsEntry(name, type, shape, begin, end, at);
    }

    private static long nonNegativeLong(Path file, String field, long at, JsonNode n) throws ModelFormatException {
        if (n == null || !n.isIntegralNumber()) {
            throw new ModelFormatException(file, field, at, "is not an integer");
        }
        if (!n.canConvertToLong() || n.longValue() < 0) {
            throw new ModelFormatException(file, field, at, n + " is not between 0 and " + Long.MAX_VALUE);
        }
        return n.longValue();
    }
}
