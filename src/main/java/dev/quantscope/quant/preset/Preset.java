package dev.quantscope.quant.preset;

import dev.quantscope.tensor.DType;

import java.util.Arrays;
import java.util.Optional;

/**
 * The llama-quantize presets QuantScope reproduces. Each names llama.cpp's file type (llama_ftype, written to
 * general.file_type) and the default ggml type its tensors get before the per-tensor rules of {@link PresetRules}
 * raise or lower some of them.
 */
public enum Preset {
    Q8_0(7, DType.Q8_0),
    Q6_K(18, DType.Q6_K),
    Q5_K_M(17, DType.Q5_K),
    Q5_K_S(16, DType.Q5_K),
    Q5_0(8, DType.Q5_0),
    Q5_1(9, DType.Q5_1),
    Q4_K_M(15, DType.Q4_K),
    Q4_K_S(14, DType.Q4_K),
    Q4_0(2, DType.Q4_0),
    Q4_1(3, DType.Q4_1),
    Q3_K_L(13, DType.Q3_K),
    Q3_K_M(12, DType.Q3_K),
    Q3_K_S(11, DType.Q3_K),
    Q2_K(10, DType.Q2_K),
    IQ4_NL(25, DType.IQ4_NL);

    private final int llamaFtype;
    private final DType defaultType;

    Preset(int llamaFtype, DType defaultType) {
        this.llamaFtype = llamaFtype;
        this.defaultType = defaultType;
    }

    /** llama.cpp's llama_ftype number (LLAMA_FTYPE_MOSTLY_Q4_K_M = 15), the value of general.file_type. */
    public int llamaFtype() { return llamaFtype; }

    /** The type a quantizable tensor gets unless a rule says otherwise (llama_ftype_get_default_type). */
    public DType defaultType() { return defaultType; }

    public static Optional<Preset> ofName(String name) {
        return Arrays.stream(values()).filter(p -> p.name().equalsIgnoreCase(name)).findFirst();
    }
}
