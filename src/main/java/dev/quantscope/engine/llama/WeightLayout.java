package dev.quantscope.engine.llama;

/** Where the weights came from, which fixes tensor names and the RoPE pairing. */
public enum WeightLayout {
    /** llama.cpp names (token_embd.weight, blk.N.attn_q.weight, …). */
    GGUF,
    /** Hugging Face names (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, …). */
    HUGGING_FACE
}
