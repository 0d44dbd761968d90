package dev.quantscope.quant.preset;

import dev.quantscope.tensor.DType;

/**
 * llama-quantize's choice of ggml type for one quantizable tensor under a preset (as in llama.cpp's
 * llama_tensor_get_type, without user overrides, with or without an importance matrix), written out rule by rule.
 *
 * <p>The idea behind the rules: the output projection gets Q6_K (it decides every token); the value projection
 * and ffn_down, the tensors whose errors hurt most, get more bits in the "_M"/"_L" mixes, in the first and last
 * eighth of the layers and every third layer in between ({@link #useMoreBits}); and when a row length is not a
 * multiple of the 256-element super-block of the K-quants, a 32-block type of similar size stands in
 * ({@link #fallback}).
 */
public final class PresetRules {
    private PresetRules() {}

    /** The K-quant super-block length (QK_K). */
    public static final int QK_K = 256;

    /**
     * llama.cpp's use_more_bits: the first and last eighth of the layers, and every third layer in between (it
     * rounds as C does, so a model of fewer than 8 layers has no "first eighth").
     */
    public static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** The type chosen for {@code t}, followed by {@link #fallback} when its rows do not fit the type's blocks. */
    public static DType choose(Preset preset, TensorContext t) {
        return choose(preset, t, false);
    }

    /**
     * {@link #choose(Preset, TensorContext)} as llama-quantize decides with ({@code withImatrix}) or without
     * {@code --imatrix}: only ffn_down of the first eighth of the layers differs for the presets modelled here.
     */
    public static DType choose(Preset preset, TensorContext t, boolean withImatrix) {
        return fallback(t.name(), ruleType(preset, t, withImatrix), t.rowLength());
    }

    /** The type the rules want without an importance matrix, before the row-length fallback. */
    public static DType ruleType(Preset preset, TensorContext t) {
        return ruleType(preset, t, false);
    }

    /** The type the rules want, before the row-length fallback ({@code withImatrix}: llama.cpp's has_imatrix). */
    public static DType ruleType(Preset preset, TensorContext t, boolean withImatrix) {
        ModelHparams hp = t.hparams();
        DType type = preset.defaultType();
        TensorCategory c = t.category();
        if (c == TensorCategory.OUTPUT || (c == TensorCategory.TOKEN_EMBD && t.tiedEmbeddings())) {
            return outputType(preset, t);
        }
        if (c.isAttentionValueLike()) return attentionValueType(preset, t);
        return switch (c) {
            // an untied token embedding keeps the preset's type for all presets modelled here
            case TOKEN_EMBD, ATTENTION_Q, FFN_GATE, FFN_UP, OTHER -> type;
            // a mixture of 8 experts spends ~128 MB more on its few shared attention tensors
            case ATTENTION_K -> hp.nExpert() == 8 ? DType.Q8_0 : type;
            case FFN_DOWN -> ffnDownType(preset, t, withImatrix);
            case ATTENTION_OUTPUT -> attentionOutputType(preset, hp, type);
            case OUTPUT, ATTENTION_V, ATTENTION_QKV, ATTENTION_KV_B -> throw new AssertionError(c);
        };
    }

    /**
     * output.weight (and a tied token_embd): Q6_K, or Q8_0 when the preset is Q8_0 already, for Falcon, or when the
     * rows do not fit the preset's blocks (Q8_0 only needs multiples of 32).
     */
    private static DType outputType(Preset preset, TensorContext t) {
        if (t.hparams().isFalcon() || t.rowLength() % preset.defaultType().blockElements() != 0) return DType.Q8_0;
        return preset.defaultType() == DType.Q8_0 ? DType.Q8_0 : DType.Q6_K;
    }

    private static DType attentionValueType(Preset preset, TensorContext t) {
        ModelHparams hp = t.hparams();
        boolean gqa4 = hp.nGqa() >= 4;
        int i = t.attnVIndex();
        DType type = switch (preset) {
            case Q2_K -> gqa4 ? DType.Q4_K : DType.Q3_K;
            case Q3_K_M -> i < 2 ? DType.Q5_K : DType.Q4_K;
            case Q3_K_L -> DType.Q5_K;
            case IQ4_NL -> gqa4 ? DType.Q5_K : preset.defaultType();
            case Q4_K_M, Q5_K_M -> useMoreBits(i, t.attnVCount()) ? DType.Q6_K : preset.defaultType();
            case Q4_K_S -> i < 4 ? DType.Q5_K : preset.defaultType();
            case Q3_K_S, Q4_0, Q4_1, Q5_0, Q5_1, Q5_K_S, Q6_K, Q8_0 -> preset.defaultType();
        };
        // Llama 70B: 8 query heads share each v head, so attn_v is 8x smaller than attn_q; more bits are nearly free.
        if (hp.isLlama70B() && (type == DType.Q3_K || type == DType.Q4_K)) type = DType.Q5_K;
        if (hp.nExpert() == 8) type = DType.Q8_0;
        return type;
    }

    private static DType ffnDownType(Preset preset, TensorContext t, boolean withImatrix) {
        boolean falcon = t.hparams().isFalcon();
        int i = t.layer();
        int n = t.nLayers();
        DType type = preset.defaultType();
        return switch (preset) {
            case Q2_K -> DType.Q3_K;
            case Q3_K_M -> i < n / 16 ? DType.Q5_K
                    : !falcon || useMoreBits(i, n) ? DType.Q4_K
                    : DType.Q3_K;
            case Q3_K_L -> falcon ? DType.Q4_K : DType.Q5_K;
            case Q4_K_M -> falcon
                    ? (i < n / 16 ? DType.Q6_K : useMoreBits(i, n) ? DType.Q5_K : DType.Q4_K)
                    : (useMoreBits(i, n) ? DType.Q6_K : type);
            // without an importance matrix the first eighth of ffn_down goes up to Q5_K
            case IQ4_NL -> i < n / 8 && !withImatrix ? DType.Q5_K : type;
            case Q5_K_M -> useMoreBits(i, n) ? DType.Q6_K : type;
            case Q4_K_S -> !falcon && i < n / 8 ? DType.Q5_K : type;
            // with an importance matrix, the first eighth goes to the type with a minimum (llama.cpp: "guard against
            // craziness in the first few ffn_down layers"); without one, never, so old outputs stay reproducible
            case Q4_0 -> withImatrix && i < n / 8 ? DType.Q4_1 : type;
            case Q5_0 -> withImatrix && i < n / 8 ? DType.Q5_1 : type;
            case Q3_K_S, Q4_1, Q5_1, Q5_K_S, Q6_K, Q8_0 -> type;
        };
    }

    private static DType attentionOutputType(Preset preset, ModelHparams hp, DType type) {
        if (hp.isFalcon()) return preset == Preset.Q3_K_L ? DType.Q4_K : type;
        if (hp.nExpert() == 8) {
            return switch (preset) {
                case Q2_K, Q3_K_S, Q3_K_M, IQ4_NL, Q4_K_S, Q4_K_M -> DType.Q5_K;
                case Q3_K_L, Q4_0, Q4_1, Q5_0, Q5_1, Q5_K_S, Q5_K_M, Q6_K, Q8_0 -> type;
            };
        }
        return switch (preset) {
            case Q2_K -> DType.Q3_K;
            case Q3_K_M -> DType.Q4_K;
            case Q3_K_L -> DType.Q5_K;
            case Q3_K_S, IQ4_NL, Q4_K_S, Q4_K_M, Q4_0, Q4_1, Q5_0, Q5_1, Q5_K_S, Q5_K_M, Q6_K, Q8_0 -> type;
        };
    }

    /**
     * llama.cpp's tensor_type_fallback: when rows of {@code rowLength} are not whole blocks of {@code type}, a
     * 32-block type of about the same size takes its place (Q2_K/Q3_K -> Q4_0, Q4_K -> Q5_0, Q5_K -> Q5_1,
     * Q6_K -> Q8_0, the 256-block IQ types -> IQ4_NL); if even 32 does not divide the row, F16. For the 32-block
     * types themselves llama.cpp has no fallback and refuses the model.
     *
     * @throws PresetNotApplicableException when llama-quantize would refuse
     */
    public static DType fallback(String name, DType type, long rowLength) {
        if (rowLength % type.blockElements() == 0) return type;
        DType replacement = switch (type) {
            case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ4_XS -> DType.IQ4_NL;
            case Q2_K, Q3_K, TQ1_0, TQ2_0 -> DType.Q4_0;
            case Q4_K -> DType.Q5_0;
            case Q5_K -> DType.Q5_1;
            case Q6_K -> DType.Q8_0;
            default -> throw new PresetNotApplicableException(name, "cannot be " + type + ": its rows of " + rowLength
                    + " values do not split into " + type + "'s blocks of " + type.blockElements()
                    + ", and llama-quantize defines no fallback for " + type);
        };
        return rowLength % replacement.blockElements() == 0 ? replacement : DType.F16;
    }
}
