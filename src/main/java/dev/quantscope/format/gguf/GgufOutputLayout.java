package dev.quantscope.format.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where everything goes in a GGUF v3 file about to be written: the encoded header (magic, version, counts, typed
 * key/values, tensor infos, zero padding up to the alignment), each tensor's offset inside the data section, and
 * the total file size. Every tensor starts on an alignment boundary and is followed by zero padding up to the
 * next one, the last one included, as ggml's own writer does.
 *
 * @param header       the bytes before the data section, padding included
 * @param alignment    general.alignment, or 32 when the metadata has none
 * @param offsets      per tensor, its offset relative to the data section
 * @param fileSize     total bytes of the file
 */
public record GgufOutputLayout(byte[] header, int alignment, long[] offsets, long fileSize) {

    public static final int VERSION = 3;

    public GgufOutputLayout {
        header = header.clone();
        offsets = offsets.clone();
    }

    @Override
    public byte[] header() { return header.clone(); }

    @Override
    public long[] offsets() { return offsets.clone(); }

    public long dataOffset() { return header.length; }

    public static GgufOutputLayout of(GgufOutput output) {
        List<GgufKv> metadata = output.metadata();
        List<GgufOutputTensor> tensors = output.tensors();
        int alignment = output.alignment();

        LittleEndianBytes out = new LittleEndianBytes();
        out.i32(GgufReader.MAGIC);
        out.i32(VERSION);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (GgufKv kv : metadata) {
            out.string(kv.key());
            out.i32(kv.type().id());
            value(out, kv.key(), kv.type(), kv.value());
        }

        long[] offsets = new long[tensors.size()];
        long next = 0;
        for (int i = 0; i < tensors.size(); i++) {
            GgufOutputTensor t = tensors.get(i);
            long[] ne = t.storedNe();
            out.string(t.name());
            out.i32(ne.length);
            for (long d : ne) out.i64(d);
            out.i32(t.type().ggmlId());
            out.i64(next);
            offsets[i] = next;
            next = Math.addExact(next, padded(t.byteSize(), alignment));
        }
        out.zeros(Math.toIntExact(padded(out.size(), alignment) - out.size()));
        byte[] header = out.toByteArray();
        return new GgufOutputLayout(header, alignment, offsets, Math.addExact(header.length, next));
    }

    /** {@code n} rounded up to a multiple of {@code alignment} (GGML_PAD). */
    public static long padded(long n, int alignment) {
        return Math.multiplyExact(Math.ceilDiv(n, (long) alignment), (long) alignment);
    }

    private static void value(LittleEndianBytes out, String key, GgufValueType type, Object v) {
        switch (type) {
            case UINT8 -> out.i8((int) integer(key, v, 0, 0xFF));
            case INT8 -> out.i8((int) integer(key, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT16 -> out.i16((int) integer(key, v, 0, 0xFFFF));
            case INT16 -> out.i16((int) integer(key, v, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT32 -> out.i32((int) integer(key, v, 0, 0xFFFF_FFFFL));
            case INT32 -> out.i32((int) integer(key, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            // UINT64 values are kept as their 64-bit pattern in a Long, so any long is valid.
            case UINT64, INT64 -> out.i64(integer(key, v, Long.MIN_VALUE, Long.MAX_VALUE));
            // The reader keeps a float32 as the double of its shortest decimal form; casting back restores its bits.
            case FLOAT32 -> out.i32(Float.floatToRawIntBits((float) number(key, v).doubleValue()));
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(number(key, v).doubleValue()));
            case BOOL -> {
                if (!(v instanceof Boolean b)) throw bad(key, type, v);
                out.i8(b ? 1 : 0);
            }
            case STRING -> {
                if (!(v instanceof String s)) throw bad(key, type, v);
                out.string(s);
            }
            case ARRAY -> {
                if (!(v instanceof GgufArray a)) throw bad(key, type, v);
                array(out, key, a);
            }
        }
    }

    private static void array(LittleEndianBytes out, String key, GgufArray a) {
        GgufValueType et = a.elementType();
        out.i32(et.id());
        out.i64(a.size());
        Object raw = a.rawValues();
        switch (raw) {
            case long[] values -> { for (long x : values) value(out, key, et, x); }
            case double[] values -> { for (double x : values) value(out, key, et, x); }
            case boolean[] values -> { for (boolean x : values) value(out, key, et, x); }
            case String[] values -> { for (String x : values) value(out, key, et, x); }
            case GgufArray[] values -> { for (GgufArray x : values) value(out, key, et, x); }
            default -> throw new IllegalArgumentException("metadata '" + key + "': the array holds values GGUF "
                    + "cannot store");
        }
    }

    private static Number number(String key, Object v) {
        if (v instanceof Number n) return n;
        throw new IllegalArgumentException("metadata '" + key + "': expected a number, got " + describe(v));
    }

    private static long integer(String key, Object v, long min, long max) {
        if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
            throw new IllegalArgumentException("metadata '" + key + "': expected an integer, got " + describe(v));
        }
        long x = ((Number) v).longValue();
        if (x < min || x > max) {
            throw new IllegalArgumentException("metadata '" + key + "': " + x + " is out of range [" + min + ", " + max + "]");
        }
        return x;
    }

    private static IllegalArgumentException bad(String key, GgufValueType type, Object v) {
        return new IllegalArgumentException("metadata '" + key + "': a " + type + " cannot hold " + describe(v));
    }

    /** A value as the user knows it from the metadata view, not by its Java class. */
    private static String describe(Object v) {
        return switch (v) {
            case null -> "no value";
            case String t -> "the text \"" + t + "\"";
            case Long _, Integer _, Short _, Byte _ -> "the integer " + v;
            case Double _, Float _ -> "the number " + v;
            case Boolean _ -> "the boolean " + v;
            case GgufArray a -> "an array of " + a.size() + " values";
            default -> "a value of another kind (" + v + ")";
        };
    }

    /** Checks what a GGUF reader would reject: duplicate keys or tensor names, a bad general.alignment. */
    static void validate(List<GgufKv> metadata, List<GgufOutputTensor> tensors) {
        Set<String> keys = new HashSet<>();
        for (GgufKv kv : metadata) {
            if (!keys.add(kv.key())) throw new IllegalArgumentException("metadata key '" + kv.key() + "' appears twice");
        }
        Set<String> names = new HashSet<>();
        for (GgufOutputTensor t : tensors) {
            if (!names.add(t.name())) throw new IllegalArgumentException("tensor '" + t.name() + "' appears twice");
        }
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class LittleEndianBytes extends ByteArrayOutputStream {
        LittleEndianBytes() { super(1 << 16); }

        void i8(int v) { write(v); }

        void i16(int v) { write(v); write(v >>> 8); }

        void i32(int v) { for (int i = 0; i < 4; i++) write(v >>> (8 * i)); }

        void i64(long v) { for (int i = 0; i < 8; i++) write((int) (v >>> (8 * i))); }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void zeros(int n) { for (int i = 0; i < n; i++) write(0); }
    }
}
