package dev.quantscope.format;

import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked little-endian reader over a mapped file. Every read names the field it reads, so a truncated
 * or hostile file fails with a {@link ModelFormatException} that says which field, at which byte, is wrong.
 */
public final class ByteCursor {
    private final Path file;
    private final MemorySegment seg;
    private long pos;

    public ByteCursor(Path file, MemorySegment seg, long pos) {
        this.file = file;
        this.seg = seg;
        this.pos = pos;
    }

    public Path file() { return file; }

    public long position() { return pos; }

    public void position(long p) { pos = p; }

    public long size() { return seg.byteSize(); }

    public long remaining() { return seg.byteSize() - pos; }

    public MemorySegment segment() { return seg; }

    /** Fails unless {@code n} more bytes are there. */
    public void need(long n, String field) throws ModelFormatException {
        if (n < 0 || n > remaining()) {
            throw new ModelFormatException(file, field, pos,
                    "needs " + n + " bytes but the file has " + Math.max(0, remaining()) + " left (truncated?)");
        }
    }

    public int u8(String field) throws ModelFormatException {
        need(1, field);
        return seg.get(Layouts.I8, pos++) & 0xFF;
    }

    public byte i8(String field) throws ModelFormatException {
        need(1, field);
        return seg.get(Layouts.I8, pos++);
    }

    public short i16(String field) throws ModelFormatException {
        need(2, field);
        short v = seg.get(Layouts.I16, pos);
        pos += 2;
        return v;
    }

    public int i32(String field) throws ModelFormatException {
        need(4, field);
        int v = seg.get(Layouts.I32, pos);
        pos += 4;
        return v;
    }

    public long u32(String field) throws ModelFormatException {
        return Integer.toUnsignedLong(i32(field));
    }

    public long i64(String field) throws ModelFormatException {
        need(8, field);
        long v = seg.get(Layouts.I64, pos);
        pos += 8;
        return v;
    }

    /** An unsigned 64-bit count or size, refused when it does not fit a signed long. */
    public long u64AsLong(String field) throws ModelFormatException {
        long at = pos;
        long v = i64(field);
        if (v < 0) throw new ModelFormatException(file, field, at, "value " + Long.toUnsignedString(v) + " is too large");
        return v;
    }

    public float f32(String field) throws ModelFormatException {
        need(4, field);
        float v = seg.get(Layouts.F32, pos);
        pos += 4;
        return v;
    }

    public double f64(String field) throws ModelFormatException {
        need(8, field);
        double v = seg.get(Layouts.F64, pos);
        pos += 8;
        return v;
    }

    public byte[] bytes(long n, String field) throws ModelFormatException {
        need(n, field);
        if (n > Integer.MAX_VALUE - 8) throw new ModelFormatException(file, field, pos, n + " bytes is too long");
        byte[] out = seg.asSlice(pos, n).toArray(Layouts.I8);
        pos += n;
        return out;
    }

    /** {@code n} bytes of strict UTF-8. */
    public String utf8(long n, String field) throws ModelFormatException {
        long at = pos;
        byte[] b = bytes(n, field);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file, field, at, "is not valid UTF-8");
        }
    }

    public void skip(long n, String field) throws ModelFormatException {
        need(n, field);
        pos += n;
    }

    public ModelFormatException error(String field, String problem) {
        return new ModelFormatException(file, field, pos, problem);
    }

    public ModelFormatException error(String field, long at, String problem) {
        return new ModelFormatException(file, field, at, problem);
    }
}
