package dev.quantscope.format.onnx;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Converts a tensor's typed-field values (float_data, int32_data, …) into a segment in the tensor's own dtype
 * layout, so the common decoders read it like raw_data. Values are counted first, against the count the dims
 * imply, and only then is memory allocated: the allocation is bounded by what the file really holds and by a
 * per-model budget (a packed int64 of value 0 takes 1 byte in the file but 8 in memory).
 */
final class TypedValues {
    private final Arena arena;
    private long budget;

    /** @param budget bytes that typed-field conversions of one model may allocate in total */
    TypedValues(Arena arena, long budget) {
        this.arena = arena;
        this.budget = budget;
    }

    MemorySegment convert(ProtoReader in, OnnxTensorProto t) throws ModelFormatException {
        TypedField field = t.typedField();
        if (field != t.type().typedField()) {
            throw in.error(field.protoName(), t.offset(), "cannot hold " + t.type() + " values (the spec puts them in "
                    + t.type().typedField().protoName() + ")");
        }
        long expected;
        long bytes;
        try {
            expected = t.type().isNibble() ? Math.addExact(t.elements(), 1) / 2
                    : Math.multiplyExact(t.elements(), (long) t.type().valuesPerElement());
            bytes = t.rawBytes();
        } catch (ArithmeticException overflow) {
            throw in.error("dims", t.offset(), "size overflows");
        }
        long count = 0;
        for (ProtoField f : t.typedValues()) count += countValues(in, field, f);
        if (count != expected) {
            throw in.error(field.protoName(), t.offset(), "holds " + count + " values but dims "
                    + t.shape() + " of " + t.type() + " need " + expected);
        }
        if (bytes > budget) {
            throw in.error(field.protoName(), t.offset(), "converting " + bytes + " bytes of typed values exceeds the "
                    + "limit for values stored outside raw_data");
        }
        budget -= bytes;
        MemorySegment out = arena.allocate(bytes, 8);
        long index = 0;
        for (ProtoField f : t.typedValues()) {
            if (f.wire() == WireType.LEN && field != TypedField.STRING_DATA) {
                ProtoReader packed = in.sub(f, in.message() + "." + field.protoName());
                while (packed.hasMore()) {
                    long at = packed.position();
                    store(in, t, out, index++, readOne(packed, field), at);
                }
            } else if (field != TypedField.STRING_DATA) {
                store(in, t, out, index++, f.value(), f.tagOffset());
            }
        }
        return out;
    }

    /** Values in one occurrence of the field: one when unpacked, else as many as the packed run holds. */
    private static long countValues(ProtoReader in, TypedField field, ProtoField f) throws ModelFormatException {
        if (f.wire() != WireType.LEN || field == TypedField.STRING_DATA) return 1;
        return switch (field.elementWire()) {
            case I32 -> fixedCount(in, field, f, 4);
            case I64 -> fixedCount(in, field, f, 8);
            case VARINT -> {
                ProtoReader packed = in.sub(f, in.message() + "." + field.protoName());
                long n = 0;
                while (packed.hasMore()) {
                    packed.varint("value");
                    n++;
                }
                yield n;
            }
            case LEN, START_GROUP, END_GROUP -> throw new IllegalStateException(field + " is not packable");
        };
    }

    private static long fixedCount(ProtoReader in, TypedField field, ProtoField f, int width) throws ModelFormatException {
        if (f.length() % width != 0) {
            throw in.error(field.protoName(), f.start(), "packed length " + f.length() + " is not a multiple of " + width);
        }
        return f.length() / width;
    }

    private static long readOne(ProtoReader packed, TypedField field) throws ModelFormatException {
        return switch (field.elementWire()) {
            case I32 -> Integer.toUnsignedLong(packed.fixed32("value"));
            case I64 -> packed.fixed64("value");
            case VARINT -> packed.varint("value");
            case LEN, START_GROUP, END_GROUP -> throw new IllegalStateException(field + " is not packable");
        };
    }

    /** Stores value number {@code i} of the field (its raw 64 bits) into element slot {@code i} of {@code out}. */
    private static void store(ProtoReader in, OnnxTensorProto t, MemorySegment out, long i, long v, long at)
            throws ModelFormatException {
        String what = t.typedField().protoName() + "[" + i + "]";
        switch (t.typedField()) {
            case FLOAT_DATA -> out.setAtIndex(Layouts.I32, i, (int) v);
            case DOUBLE_DATA, INT64_DATA -> out.setAtIndex(Layouts.I64, i, v);
            case UINT64_DATA -> {
                if (t.type() == OnnxDataType.UINT32) {
                    if (v < 0 || v > 0xFFFF_FFFFL) throw in.error(what, at, "value " + Long.toUnsignedString(v) + " does not fit UINT32");
                    out.setAtIndex(Layouts.I32, i, (int) v);
                } else {
                    out.setAtIndex(Layouts.I64, i, v);
                }
            }
            case INT32_DATA -> {
                // protobuf int32: negatives arrive sign-extended to 64 bits; tolerate writers that sent them unsigned
                if (v != (int) v && (v < 0 || v > 0xFFFF_FFFFL)) throw in.error(what, at, "value " + v + " does not fit int32");
                int x = (int) v;
                int width = t.type().isNibble() ? 1 : t.type().dtype().blockBytes();
                switch (width) {
                    case 4 -> out.setAtIndex(Layouts.I32, i, x);
                    case 2 -> {
                        // 16-bit types: signed (INT16) or bit patterns (UINT16, FLOAT16, BFLOAT16)
                        if (x < Short.MIN_VALUE || x > 0xFFFF) throw in.error(what, at, "value " + x + " does not fit 16 bits");
                        out.setAtIndex(Layouts.I16, i, (short) x);
                    }
                    case 1 -> {
                        if (x < Byte.MIN_VALUE || x > 0xFF) throw in.error(what, at, "value " + x + " does not fit 8 bits");
                        out.set(Layouts.I8, i, (byte) x);
                    }
                    default -> throw new IllegalStateException(t.type() + " has no int32_data layout");
                }
            }
            case STRING_DATA -> throw new IllegalStateException("strings have no numeric layout");
        }
    }
}
