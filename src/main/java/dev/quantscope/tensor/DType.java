package dev.quantscope.tensor;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every element type QuantScope can meet in a model file: ggml's types (with their ggml type numbers and block
 * layouts), the safetensors dtypes, and the ONNX tensor types. One table, so that byte sizes are computed in one
 * place: a tensor of {@code n} elements takes {@code n / blockElements * blockBytes} bytes.
 *
 * <p>Sub-byte types are expressed as blocks too: F4 packs two elements in one byte (block of 2 in 1 byte).
 * Types without a fixed size (ONNX STRING) have {@code blockBytes == 0}.
 */
public enum DType {
    // ---- plain element types (ggml numbers where ggml has them) ----
    F64(28, 1, 8), F32(0, 1, 4), F16(1, 1, 2), BF16(30, 1, 2),
    I64(27, 1, 8), I32(26, 1, 4), I16(25, 1, 2), I8(24, 1, 1),
    U64(-1, 1, 8), U32(-1, 1, 4), U16(-1, 1, 2), U8(-1, 1, 1),
    BOOL(-1, 1, 1),
    F8_E4M3(-1, 1, 1), F8_E5M2(-1, 1, 1), F8_E4M3FNUZ(-1, 1, 1), F8_E5M2FNUZ(-1, 1, 1), F8_E8M0(-1, 1, 1),
    /** FP4 E2M1, two elements per byte, low nibble first. */
    F4_E2M1(-1, 2, 1),
    /** FP6 types, four elements in three bytes. */
    F6_E2M3(-1, 4, 3), F6_E3M2(-1, 4, 3),
    /** ONNX INT4 / UINT4, two elements per byte, low nibble first. */
    I4(-1, 2, 1), U4(-1, 2, 1),
    C64(-1, 1, 8), C128(-1, 1, 16),
    /** ONNX strings: no fixed size, never decodable to numbers. */
    STRING(-1, 1, 0),

    // ---- ggml block types (ggml-common.h) ----
    Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24), Q8_0(8, 32, 34), Q8_1(9, 32, 36),
    Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144), Q5_K(13, 256, 176), Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74), IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110), IQ2_S(22, 256, 82), IQ4_XS(23, 256, 136), IQ1_M(29, 256, 56),
    TQ1_0(34, 256, 54), TQ2_0(35, 256, 66), MXFP4(39, 32, 17),
    /** Repacked (interleaved) layouts that older llama.cpp builds wrote to files; listed, never decoded. */
    Q4_0_4_4(31, 32, 18), Q4_0_4_8(32, 32, 18), Q4_0_8_8(33, 32, 18),
    IQ4_NL_4_4(36, 32, 18), IQ4_NL_4_8(37, 32, 18), IQ4_NL_8_8(38, 32, 18);

    private final int ggmlId;
    private final int blockElements;
    private final int blockBytes;

    DType(int ggmlId, int blockElements, int blockBytes) {
        this.ggmlId = ggmlId;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** ggml's type number, or -1 when ggml has no such type. */
    public int ggmlId() { return ggmlId; }

    /** Elements per block: 1 for plain types, 32 or 256 for ggml block types. */
    public int blockElements() { return blockElements; }

    /** Bytes per block; 0 for types without a fixed size. */
    public int blockBytes() { return blockBytes; }

    public boolean isBlockQuantized() { return blockElements > 2 && ggmlId >= 0; }

    /** Average storage bits per element, scales included. */
    public double bitsPerElement() { return blockBytes * 8.0 / blockElements; }

    /**
     * Bytes that {@code elements} elements of this type take, with overflow checked.
     * @throws IllegalArgumentException when the count is not a whole number of blocks
     */
    public long byteSize(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(elements + " elements is not a whole number of " + name()
                    + " blocks of " + blockElements);
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    private static final DType[] BY_GGML_ID = new DType[64];
    static {
        for (DType t : values()) if (t.ggmlId >= 0) BY_GGML_ID[t.ggmlId] = t;
    }

    /** The type with ggml number {@code id}, if ggml defines one (ids of removed types yield empty). */
    public static Optional<DType> ofGgmlId(long id) {
        if (id < 0 || id >= BY_GGML_ID.length) return Optional.empty();
        return Optional.ofNullable(BY_GGML_ID[(int) id]);
    }

    /** Looks a type up by its name as written here (case-insensitive). */
    public static Optional<DType> ofName(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(name)).findFirst();
    }
}
