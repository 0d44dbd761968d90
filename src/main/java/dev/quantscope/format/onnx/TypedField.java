package dev.quantscope.format.onnx;

/**
 * TensorProto's typed value fields (onnx.proto), each a repeated field that writers may emit packed (one LEN
 * field) or unpacked (one field per value), or even a mix of both.
 */
enum TypedField {
    FLOAT_DATA(4, WireType.I32),
    INT32_DATA(5, WireType.VARINT),
    STRING_DATA(6, WireType.LEN),
    INT64_DATA(7, WireType.VARINT),
    DOUBLE_DATA(10, WireType.I64),
    UINT64_DATA(11, WireType.VARINT);

    private final int number;
    private final WireType elementWire;

    TypedField(int number, WireType elementWire) {
        this.number = number;
        this.elementWire = elementWire;
    }

    int number() { return number; }

    /** The wire type of one unpacked value; packed runs of them arrive as one LEN field. */
    WireType elementWire() { return elementWire; }

    String protoName() { return name().toLowerCase(java.util.Locale.ROOT); }

    static TypedField ofNumber(int number) {
        for (TypedField t : values()) if (t.number == number) return t;
        return null;
    }
}
