package dev.quantscope.format.pytorch;

import dev.quantscope.tensor.DType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The values the restricted unpickler builds. Python ints, floats, strings, bools and bytes are plain Java values
 * (Long or BigInteger, Double, String, Boolean, byte[]); containers and torch objects are the types below.
 * Containers compare by identity except {@link Tuple}, which is only ever hashed after {@link #isHashableKey}
 * has ruled out cycles, so no value here can make hashCode/equals/toString recurse without end.
 */
final class PyValues {
    private PyValues() {}

    /** Python's None. */
    enum None { NONE }

    /** An immutable tuple; usable as a dict key when every element is. */
    record Tuple(List<Object> items) {
        Tuple { items = List.copyOf(items); }
        int size() { return items.size(); }
        Object get(int i) { return items.get(i); }
        @Override public String toString() { return "tuple of " + items.size(); }
    }

    /** A list; identity semantics, as it may contain itself. */
    static final class PyList {
        final ArrayList<Object> items = new ArrayList<>();
        @Override public String toString() { return "list of " + items.size(); }
    }

    /** A dict or OrderedDict; insertion-ordered, identity semantics. */
    static final class PyDict {
        final LinkedHashMap<Object, Object> items = new LinkedHashMap<>();
        @Override public String toString() { return "dict of " + items.size(); }
    }

    /**
     * A storage named by a persistent id ('storage', storage type, key, location, numel).
     *
     * @param numel elements of {@code dtype}; for an untyped storage, bytes (dtype U8)
     */
    record StorageRef(String key, DType dtype, boolean untyped, String location, long numel) {}

    /** A tensor rebuilt over a storage: offset in elements, row-major sizes and strides in elements. */
    record TensorRef(StorageRef storage, DType dtype, long offset, long[] size, long[] stride) {
        @Override public String toString() { return "tensor"; }
    }

    /** Keys we let into a dict: scalars, and tuples of scalars nested at most a few levels. */
    static boolean isHashableKey(Object k, int depth) {
        if (k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
                || k instanceof Boolean || k instanceof None) return true;
        if (k instanceof Tuple t && depth < 4) {
            for (Object o : t.items()) if (!isHashableKey(o, depth + 1)) return false;
            return true;
        }
        return false;
    }

    /** A short description for error messages that never walks into the value. */
    static String describe(Object o) {
        return switch (o) {
            case null -> "nothing";
            case String s -> "string";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case Boolean b -> "bool";
            case byte[] b -> "bytes";
            case None n -> "None";
            case Tuple t -> "tuple";
            case PyList l -> "list";
            case PyDict d -> "dict";
            case StorageRef s -> "storage";
            case TensorRef t -> "tensor";
            case TorchGlobal g -> "global " + g.qualifiedName();
            default -> "object";
        };
    }
}
