package dev.quantscope.format.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes real safetensors files for tests, following the specification: an 8-byte little-endian header length,
 * a JSON header padded with spaces to a multiple of 8 bytes, then the tensors' bytes back to back.
 */
final class SafetensorsTestWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    SafetensorsTestWriter tensor(String name, String dtype, long[] shape, byte[] bytes) {
        long begin = data.size();
        data.writeBytes(bytes);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("dtype", dtype);
        entry.put("shape", shape);
        entry.put("data_offsets", List.of(begin, (long) data.size()));
        header.put(name, entry);
        return this;
    }

    SafetensorsTestWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    byte[] toBytes() {
        Map<String, Object> all = new LinkedHashMap<>();
        if (!metadata.isEmpty()) all.put("__metadata__", metadata);
        all.putAll(header);
        try {
            StringBuilder json = new StringBuilder(JSON.writeValueAsString(all));
            while (json.length() % 8 != 0) json.append(' ');
            return file(json.toString().getBytes(StandardCharsets.UTF_8), data.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Path write(Path path) throws IOException {
        Files.write(path, toBytes());
        return path;
    }

    /** A file with exactly this header text and data, for malformed-file tests. */
    static byte[] raw(String headerJson, byte[] data) {
        return file(headerJson.getBytes(StandardCharsets.UTF_8), data);
    }

    /** A file whose header length field says {@code declared}, whatever follows. */
    static byte[] withDeclaredLength(long declared, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared).put(rest);
        return b.array();
    }

    private static byte[] file(byte[] headerBytes, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerBytes.length).put(headerBytes).put(data);
        return b.array();
    }

    // ---- little-endian element encoders ----

    static byte[] f32(float... v) {
        ByteBuffer b = le(v.length * 4);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = le(v.length * 8);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    /** Raw 16-bit patterns (F16, BF16, I16, U16). */
    static byte[] u16(int... bits) {
        ByteBuffer b = le(bits.length * 2);
        for (int x : bits) b.putShort((short) x);
        return b.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer b = le(v.length * 4);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = le(v.length * 8);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    static byte[] bytes(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
        return out;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
