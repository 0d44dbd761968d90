package dev.quantscope.format.onnx;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.Layouts;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked reader of the protobuf wire format over one message of a mapped file: the bytes
 * {@code [position, end)}. Every length is checked against the enclosing message's end before anything is read or
 * allocated, varints are capped at 10 bytes, and unknown fields are skipped only when their wire type says how
 * long they are; all problems surface as {@link ModelFormatException}s naming the file, the message and the byte.
 *
 * <p>Protobuf has no message terminator, so a file cut exactly between two top-level fields still parses; callers
 * check that the fields they need are present.
 */
final class ProtoReader {
    /** A varint takes at most 10 bytes: 64 bits in 7-bit groups. */
    static final int MAX_VARINT_BYTES = 10;
    static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

    private final Path file;
    private final MemorySegment seg;
    private final String message;
    private final long end;
    private long pos;

    ProtoReader(Path file, MemorySegment seg, long start, long end, String message) {
        this.file = file;
        this.seg = seg;
        this.message = message;
        this.pos = start;
        this.end = end;
    }

    /** A reader over the LEN payload of {@code f}, which is already known to lie inside this message. */
    ProtoReader sub(ProtoField f, String subMessage) {
        return new ProtoReader(file, seg, f.start(), f.end(), subMessage);
    }

    Path file() { return file; }

    MemorySegment segment() { return seg; }

    String message() { return message; }

    boolean hasMore() { return pos < end; }

    long position() { return pos; }

    /** Reads the next field's tag and payload. */
    ProtoField next() throws ModelFormatException {
        long tagAt = pos;
        long tag = varint("field tag");
        long number = tag >>> 3;
        int wireId = (int) (tag & 7);
        if (number < 1 || number > MAX_FIELD_NUMBER) {
            throw error("field tag", tagAt, "field number " + Long.toUnsignedString(number) + " is out of range");
        }
        WireType wire = WireType.of(wireId).orElseThrow(
                () -> error("field " + number, tagAt, "unknown wire type " + wireId));
        int n = (int) number;
        return switch (wire) {
            case VARINT -> new ProtoField(n, wire, tagAt, varint("field " + n), -1, 0);
            case I64 -> new ProtoField(n, wire, tagAt, fixed64("field " + n), -1, 0);
            case I32 -> new ProtoField(n, wire, tagAt, Integer.toUnsignedLong(fixed32("field " + n)), -1, 0);
            case LEN -> {
                long lenAt = pos;
                long len = varint("field " + n + " length");
                if (len < 0 || len > end - pos) {
                    throw error("field " + n + " length", lenAt, "length " + Long.toUnsignedString(len)
                            + " runs past the end of the enclosing message (" + (end - pos) + " bytes left; truncated?)");
                }
                long start = pos;
                pos += len;
                yield new ProtoField(n, wire, tagAt, 0, start, len);
            }
            case START_GROUP, END_GROUP -> throw error("field " + n, tagAt,
                    "protobuf groups (wire type " + wireId + ") are not used by ONNX and are refused");
        };
    }

    /** A base-128 varint of at most 10 bytes whose value fits in 64 bits. */
    long varint(String field) throws ModelFormatException {
        long at = pos;
        long result = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (pos >= end) throw error(field, at, "varint runs past the end of the enclosing message (truncated?)");
            int b = seg.get(Layouts.I8, pos++) & 0xFF;
            if (i == MAX_VARINT_BYTES - 1) {
                // the 10th byte holds bit 63 only: more is either a continuation or bits beyond 64
                if (b >= 0x80) throw error(field, at, "varint is longer than " + MAX_VARINT_BYTES + " bytes");
                if (b > 1) throw error(field, at, "varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << (7 * i);
            if (b < 0x80) return result;
        }
        throw new IllegalStateException("unreachable: the 10th byte either ends the varint or is refused");
    }

    int fixed32(String field) throws ModelFormatException {
        need(4, field);
        int v = seg.get(Layouts.I32, pos);
        pos += 4;
        return v;
    }

    long fixed64(String field) throws ModelFormatException {
        need(8, field);
        long v = seg.get(Layouts.I64, pos);
        pos += 8;
        return v;
    }

    private void need(long n, String field) throws ModelFormatException {
        if (n > end - pos) {
            throw error(field, pos, "needs " + n + " bytes but the enclosing message has " + (end - pos) + " left (truncated?)");
        }
    }

    /** Fails unless {@code f} has wire type {@code expected}; {@code what} names the field for the message. */
    void expect(ProtoField f, WireType expected, String what) throws ModelFormatException {
        if (f.wire() != expected) {
            throw error(what, f.tagOffset(), "has wire type " + f.wire() + ", expected " + expected);
        }
    }

    /** The LEN payload of {@code f} as strict UTF-8. */
    String string(ProtoField f, String what) throws ModelFormatException {
        expect(f, WireType.LEN, what);
        if (f.length() > Integer.MAX_VALUE - 8) throw error(what, f.start(), "string of " + f.length() + " bytes is too long");
        byte[] bytes = seg.asSlice(f.start(), f.length()).toArray(Layouts.I8);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error(what, f.start(), "is not valid UTF-8");
        }
    }

    /** A VARINT field's value as a signed 64-bit integer (protobuf int64/int32/enum). */
    long int64(ProtoField f, String what) throws ModelFormatException {
        expect(f, WireType.VARINT, what);
        return f.value();
    }

    /** A VARINT field holding a protobuf int32: negative values arrive sign-extended to 64 bits. */
    int int32(ProtoField f, String what) throws ModelFormatException {
        long v = int64(f, what);
        if (v != (int) v) throw error(what, f.tagOffset(), "value " + v + " does not fit a 32-bit integer");
        return (int) v;
    }

    ModelFormatException error(String field, long at, String problem) {
        return new ModelFormatException(file, message + "." + field, at, problem);
    }
}
