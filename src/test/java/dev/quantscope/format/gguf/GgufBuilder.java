package dev.quantscope.format.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes GGUF bytes field by field, so tests can build well-formed and deliberately broken files. */
final class GgufBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    GgufBuilder u8(int v) { out.write(v); return this; }

    GgufBuilder u32(long v) { return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array()); }

    GgufBuilder u64(long v) { return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); }

    GgufBuilder f32(float v) { return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array()); }

    GgufBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        return raw(b);
    }

    GgufBuilder raw(byte[] b) { out.writeBytes(b); return this; }

    GgufBuilder header(int version, long tensors, long kvs) {
        return raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(version).u64(tensors).u64(kvs);
    }

    GgufBuilder kvString(String key, String value) { return str(key).u32(GgufValueType.STRING.id()).str(value); }

    GgufBuilder kvU32(String key, long value) { return str(key).u32(GgufValueType.UINT32.id()).u32(value); }

    GgufBuilder tensorInfo(String name, long[] ne, int type, long offset) {
        str(name).u32(ne.length);
        for (long d : ne) u64(d);
        return u32(type).u64(offset);
    }

    /** Pads with zeros to a multiple of {@code alignment}. */
    GgufBuilder align(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    int size() { return out.size(); }

    byte[] bytes() { return out.toByteArray(); }
}
