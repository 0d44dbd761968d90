package dev.quantscope.format.gguf;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A GGUF array value, kept as one primitive Java array (long[] for integers, double[] for floats, boolean[],
 * String[], or GgufArray[] for nested arrays) so that a vocabulary of 150k scores costs 150k primitives, not
 * 150k boxed objects. It reads as a {@code List} of plain values for display and JSON.
 */
public final class GgufArray extends AbstractList<Object> implements RandomAccess {
    private final GgufValueType elementType;
    private final Object values;

    public GgufArray(GgufValueType elementType, Object values) {
        if (!values.getClass().isArray()) throw new IllegalArgumentException("not an array");
        this.elementType = elementType;
        this.values = values;
    }

    public GgufValueType elementType() { return elementType; }

    /** The backing primitive array; do not modify. */
    public Object rawValues() { return values; }

    @Override
    public Object get(int i) {
        Object v = Array.get(values, i);
        if (elementType == GgufValueType.UINT64 && v instanceof Long l && l < 0) {
            return new BigInteger(Long.toUnsignedString(l));
        }
        return v;
    }

    @Override
    public int size() { return Array.getLength(values); }
}
