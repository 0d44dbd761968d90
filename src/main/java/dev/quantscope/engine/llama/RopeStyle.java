package dev.quantscope.engine.llama;

/**
 * Which dimensions RoPE rotates together. The choice depends on how the weights were laid out, not on the model:
 * llama.cpp's convert permutes Llama's q/k rows so that GGUF Llama files rotate adjacent pairs, while Hugging Face
 * checkpoints (and GGUF Qwen2) keep the original layout that rotates element i with element i + d/2.
 */
public enum RopeStyle {
    /** Pairs (2i, 2i+1): ggml's "normal" mode, GGUF Llama. */
    ADJACENT_PAIRS,
    /** Pairs (i, i + d/2): rotate_half, ggml's NEOX mode; HF layout and GGUF Qwen2. */
    HALF_SPLIT
}
