package dev.quantscope.format.safetensors;

import dev.quantscope.tensor.DType;

import java.util.Optional;

/**
 * The dtype names the safetensors specification defines, each with the {@link DType} it stores. The constant
 * names are the spelling used in files (matching is case-sensitive, as in the reference implementation).
 */
public enum SafetensorsDType {
    F64(DType.F64), F32(DType.F32), F16(DType.F16), BF16(DType.BF16),
    F8_E4M3(DType.F8_E4M3), F8_E5M2(DType.F8_E5M2), F8_E8M0(DType.F8_E8M0),
    /** FP4 E2M1, two elements per byte. */
    F4(DType.F4_E2M1),
    /** FP6 types, four elements in three bytes. */
    F6_E2M3(DType.F6_E2M3), F6_E3M2(DType.F6_E3M2),
    I64(DType.I64), I32(DType.I32), I16(DType.I16), I8(DType.I8),
    U64(DType.U64), U32(DType.U32), U16(DType.U16), U8(DType.U8),
    BOOL(DType.BOOL), C64(DType.C64);

    private final DType dtype;

    SafetensorsDType(DType dtype) { this.dtype = dtype; }

    /** The element type QuantScope uses for this dtype. */
    public DType dtype() { return dtype; }

    /** The dtype a file spells {@code name}, if the specification defines it. */
    public static Optional<SafetensorsDType> of(String name) {
        for (SafetensorsDType t : values()) if (t.name().equals(name)) return Optional.of(t);
        return Optional.empty();
    }

    /** The safetensors dtype that stores {@code type}, if safetensors has one (ggml block types have none). */
    public static Optional<SafetensorsDType> of(DType type) {
        for (SafetensorsDType t : values()) if (t.dtype == type) return Optional.of(t);
        return Optional.empty();
    }
}
