package dev.quantscope.format.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A tiny protobuf writer for building ONNX test files, valid or deliberately broken. */
final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Proto message() { return new Proto(); }

    Proto tag(int field, int wire) {
        rawVarint(((long) field << 3) | wire);
        return this;
    }

    Proto varint(int field, long v) {
        tag(field, 0);
        return rawVarint(v);
    }

    Proto fixed32(int field, int bits) {
        tag(field, 5);
        return raw(le(4).putInt(bits).array());
    }

    Proto float32(int field, float v) { return fixed32(field, Float.floatToRawIntBits(v)); }

    Proto fixed64(int field, long bits) {
        tag(field, 1);
        return raw(le(8).putLong(bits).array());
    }

    Proto bytes(int field, byte[] b) {
        tag(field, 2);
        rawVarint(b.length);
        return raw(b);
    }

    Proto string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

    Proto message(int field, Proto m) { return bytes(field, m.toBytes()); }

    Proto packedVarints(int field, long... values) {
        Proto p = new Proto();
        for (long v : values) p.rawVarint(v);
        return bytes(field, p.toBytes());
    }

    Proto packedFloats(int field, float... values) {
        ByteBuffer b = le(4 * values.length);
        for (float v : values) b.putFloat(v);
        return bytes(field, b.array());
    }

    Proto packedDoubles(int field, double... values) {
        ByteBuffer b = le(8 * values.length);
        for (double v : values) b.putDouble(v);
        return bytes(field, b.array());
    }

    Proto rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    Proto raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    byte[] toBytes() { return out.toByteArray(); }

    static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    static byte[] floatsLE(float... values) {
        ByteBuffer b = le(4 * values.length);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    // ---- ONNX building blocks (field numbers from onnx.proto) ----

    /** A TensorProto with name, data type and dims; data fields are added by the caller. */
    static Proto tensor(String name, int dataType, long... dims) {
        Proto t = message();
        for (long d : dims) t.varint(1, d);
        t.varint(2, dataType);
        if (name != null) t.string(8, name);
        return t;
    }

    static Proto rawTensor(String name, int dataType, long[] dims, byte[] raw) {
        return tensor(name, dataType, dims).bytes(9, raw);
    }

    static Proto external(Proto tensor, String... keyValues) {
        for (int i = 0; i < keyValues.length; i += 2) {
            tensor.message(13, message().string(1, keyValues[i]).string(2, keyValues[i + 1]));
        }
        return tensor.varint(14, 1);
    }

    static Proto constantNode(String output, Proto tensor) {
        return message().string(2, output).string(4, "Constant")
                .message(5, message().string(1, "value").varint(20, 4).message(5, tensor));
    }

    /** ModelProto with ir_version first and the graph last, so any truncation cuts into a required part. */
    static byte[] model(Proto graph) {
        return message().varint(1, 9).string(2, "quantscope-test").string(3, "1.0")
                .message(8, message().string(1, "").varint(2, 17))
                .message(7, graph).toBytes();
    }

    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9,
            FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, COMPLEX64 = 14, BFLOAT16 = 16, UINT4 = 21,
            INT4 = 22, FLOAT4E2M1 = 23;
}
