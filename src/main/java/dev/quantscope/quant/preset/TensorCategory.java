package dev.quantscope.quant.preset;

/**
 * The broad roles llama-quantize's rules tell tensors apart by, recognised from the name alone (llama.cpp's
 * tensor_get_category): exact names for the embedding and the output, substrings for the rest, checked in this
 * order so that "attn_qkv" is not mistaken for "attn_q".
 */
public enum TensorCategory {
    TOKEN_EMBD, ATTENTION_Q, ATTENTION_V, ATTENTION_K, ATTENTION_QKV, ATTENTION_KV_B, ATTENTION_OUTPUT,
    FFN_UP, FFN_GATE, FFN_DOWN, OUTPUT, OTHER;

    public static TensorCategory of(String name) {
        if (name.equals("output.weight")) return OUTPUT;
        if (name.equals("token_embd.weight") || name.equals("per_layer_token_embd.weight")) return TOKEN_EMBD;
        if (name.contains("attn_qkv.weight")) return ATTENTION_QKV;
        if (name.contains("attn_kv_b.weight")) return ATTENTION_KV_B;
        if (name.contains("attn_v.weight")) return ATTENTION_V;
        if (name.contains("attn_k.weight")) return ATTENTION_K;
        if (name.contains("attn_q.weight")) return ATTENTION_Q;
        if (name.contains("attn_output.weight")) return ATTENTION_OUTPUT;
        // no ".weight" here: this also matches expert tensors such as ffn_up_exps.weight and ffn_up_shexp.weight
        if (name.contains("ffn_up")) return FFN_UP;
        if (name.contains("ffn_gate")) return FFN_GATE;
        if (name.contains("ffn_down")) return FFN_DOWN;
        return OTHER;
    }

    /**
     * Whether the tensor projects values, the part of attention most sensitive to quantization: fused QKV and
     * MLA's kv_b projection count as attn_v too, and share its counter.
     */
    public boolean isAttentionValueLike() {
        return this == ATTENTION_V || this == ATTENTION_QKV || this == ATTENTION_KV_B;
    }
}
