package dev.quantscope.format.onnx;

import dev.quantscope.tensor.DType;

import java.util.Optional;

/**
 * ONNX's TensorProto.DataType codes (onnx.proto), each with the QuantScope dtype it maps to and the typed field
 * that may carry its values when raw_data is not used. Per the spec, int32_data carries every narrow type
 * (8/16-bit integers, bool, float16, bfloat16, float8) one value per entry, and the 4-bit types as bytes each
 * packing two elements, low nibble first.
 */
enum OnnxDataType {
    FLOAT(1, DType.F32, TypedField.FLOAT_DATA),
    UINT8(2, DType.U8, TypedField.INT32_DATA),
    INT8(3, DType.I8, TypedField.INT32_DATA),
    UINT16(4, DType.U16, TypedField.INT32_DATA),
    INT16(5, DType.I16, TypedField.INT32_DATA),
    INT32(6, DType.I32, TypedField.INT32_DATA),
    INT64(7, DType.I64, TypedField.INT64_DATA),
    STRING(8, DType.STRING, TypedField.STRING_DATA),
    BOOL(9, DType.BOOL, TypedField.INT32_DATA),
    FLOAT16(10, DType.F16, TypedField.INT32_DATA),
    DOUBLE(11, DType.F64, TypedField.DOUBLE_DATA),
    UINT32(12, DType.U32, TypedField.UINT64_DATA),
    UINT64(13, DType.U64, TypedField.UINT64_DATA),
    COMPLEX64(14, DType.C64, TypedField.FLOAT_DATA),
    COMPLEX128(15, DType.C128, TypedField.DOUBLE_DATA),
    BFLOAT16(16, DType.BF16, TypedField.INT32_DATA),
    FLOAT8E4M3FN(17, DType.F8_E4M3, TypedField.INT32_DATA),
    FLOAT8E4M3FNUZ(18, DType.F8_E4M3FNUZ, TypedField.INT32_DATA),
    FLOAT8E5M2(19, DType.F8_E5M2, TypedField.INT32_DATA),
    FLOAT8E5M2FNUZ(20, DType.F8_E5M2FNUZ, TypedField.INT32_DATA),
    UINT4(21, DType.U4, TypedField.INT32_DATA),
    INT4(22, DType.I4, TypedField.INT32_DATA),
    FLOAT4E2M1(23, DType.F4_E2M1, TypedField.INT32_DATA),
    FLOAT8E8M0(24, DType.F8_E8M0, TypedField.INT32_DATA);

    private final int code;
    private final DType dtype;
    private final TypedField typedField;

    OnnxDataType(int code, DType dtype, TypedField typedField) {
        this.code = code;
        this.dtype = dtype;
        this.typedField = typedField;
    }

    int code() { return code; }

    DType dtype() { return dtype; }

    /** The one typed field allowed to hold this type's values. */
    TypedField typedField() { return typedField; }

    /** Two elements per byte: byte counts round up for an odd element count. */
    boolean isNibble() { return dtype.blockElements() == 2 && dtype.blockBytes() == 1; }

    /** Typed-field values per element: complex numbers take two (real, imaginary). */
    int valuesPerElement() {
        return this == COMPLEX64 || this == COMPLEX128 ? 2 : 1;
    }

    /**
     * Bytes that {@code elements} elements take in raw_data (little-endian, fixed width; 4-bit types packed
     * two per byte, rounded up). Strings have no raw form: 0.
     *
     * @throws ArithmeticException on overflow
     */
    long rawBytes(long elements) {
        if (this == STRING) return 0;
        if (isNibble()) return Math.addExact(elements, 1) / 2;
        return Math.multiplyExact(elements, (long) dtype.blockBytes());
    }

    static Optional<OnnxDataType> of(long code) {
        for (OnnxDataType t : values()) if (t.code == code) return Optional.of(t);
        return Optional.empty();
    }

    /** A name for codes the spec defines but QuantScope has no dtype for, to make the refusal clear. */
    static String describeUnsupported(long code) {
        return switch ((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, code))) {
            case 0 -> "UNDEFINED (0)";
            case 25 -> "UINT2 (25), which QuantScope does not support";
            case 26 -> "INT2 (26), which QuantScope does not support";
            default -> "unknown data type " + code;
        };
    }
}
