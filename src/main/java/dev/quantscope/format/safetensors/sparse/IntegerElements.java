package dev.quantscope.format.safetensors.sparse;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Whole numbers read from a tensor of an integer dtype: the shapes and row offsets the library writes (int64). */
final class IntegerElements {
    private IntegerElements() {}

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Refuses a tensor that does not hold integers, saying what it should have held. */
    static void require(StoredTensor t, String holds) throws ModelFormatException {
        switch (t.tensor().dtype()) {
            case I64, I32, I16, I8, U64, U32, U16, U8 -> { }
            default -> throw t.error("is " + t.tensor().dtype() + ", but it should hold " + holds + " as integers");
        }
    }

    /** Element {@code i}; the tensor's dtype has passed {@link #require}. U64 values above 2^63 read negative. */
    static long at(TensorInfo t, long i) {
        MemorySegment s = t.data();
        DType type = t.dtype();
        return switch (type) {
            case I64, U64 -> s.getAtIndex(I64, i);
            case I32 -> s.getAtIndex(I32, i);
            case U32 -> Integer.toUnsignedLong(s.getAtIndex(I32, i));
            case I16 -> s.getAtIndex(I16, i);
            case U16 -> Short.toUnsignedInt(s.getAtIndex(I16, i));
            case I8 -> s.get(ValueLayout.JAVA_BYTE, i);
            case U8 -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, i));
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        };
    }
}
