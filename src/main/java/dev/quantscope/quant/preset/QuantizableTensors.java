package dev.quantscope.quant.preset;

import java.util.List;

/**
 * Which tensors llama-quantize quantizes at all (llama.cpp's tensor_allows_quantization): matrices and stacks of
 * expert matrices whose names end in "weight", minus the small or precision-critical ones listed here. Everything
 * else (biases, norms, 1-D tensors, routing tables) is copied in its source type.
 */
public final class QuantizableTensors {
    private QuantizableTensors() {}

    /** Name fragments of weights that stay unquantized, with llama.cpp's reasons. */
    private static final List<String> KEPT = List.of(
            "_norm.weight",               // normalisation scales
            "ffn_gate_inp.weight",        // MoE router: tiny, and routing errors are costly
            "ffn_gate_tid2eid.weight",    // DeepSeek-V4 token-id -> expert-id table (integers)
            "altup", "laurel",            // Gemma 3n's very small (e.g. 4x4) matrices
            "per_layer_model_proj",       // not big enough to matter
            "ssm_conv1d", "shortconv.conv.weight",            // Mamba/LFM small conv1d kernels
            "indexer.k_proj.weight", "indexer.q_proj.weight", // MiniMax's tiny indexer projections
            "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
            "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
            "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", // RWKV's small 2-D
            "attn_rel_b.weight",          // T5 relative position bias
            ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
            "a.rvq.codebook", "mm.a.code_embd"); // vision/audio encoder parts

    /** Exact names kept: learned positions and BERT's token types. */
    private static final List<String> KEPT_EXACT = List.of("position_embd.weight", "token_types.weight");

    /**
     * @param ne the tensor's dimensions, fastest first; trailing 1s do not count (ggml_n_dims), so [4096, 1] is 1-D
     */
    public static boolean allowsQuantization(String name, long[] ne) {
        if (dims(ne) < 2) return false;
        if (!name.endsWith("weight")) return false;
        for (String k : KEPT) if (name.contains(k)) return false;
        return !KEPT_EXACT.contains(name);
    }

    /** ggml_n_dims: the number of dimensions without trailing 1s, at least 1. */
    static int dims(long[] ne) {
        int n = ne.length;
        while (n > 1 && ne[n - 1] == 1) n--;
        return Math.max(n, 1);
    }
}
