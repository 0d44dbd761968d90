package dev.quantscope.quant.preset;

import dev.quantscope.format.gguf.GgufArray;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;

import java.util.Optional;

/**
 * The model hyper-parameters llama-quantize's rules look at.
 *
 * @param architecture general.architecture ("llama", "falcon", ...)
 * @param nLayer       {arch}.block_count
 * @param nHead        attention heads of layer 0
 * @param nHeadKv      key/value heads of layer 0 (equal to nHead without grouped-query attention)
 * @param nExpert      {arch}.expert_count, 0 for a dense model
 */
public record ModelHparams(String architecture, int nLayer, int nHead, int nHeadKv, int nExpert) {

    public ModelHparams {
        if (nLayer < 0 || nHead < 0 || nHeadKv < 0 || nExpert < 0) throw new IllegalArgumentException("negative hparam");
    }

    /**
     * Query heads per key/value head (llama.cpp's n_gqa(), integer division, 0 without kv heads). At 4 or more the
     * v projection is small next to q, so several presets give it more bits at little cost.
     */
    public int nGqa() { return nHeadKv == 0 ? 0 : nHead / nHeadKv; }

    public boolean isFalcon() { return architecture.equals("falcon"); }

    /**
     * llama.cpp's LLM_TYPE_70B: a Llama with 80 layers and grouped-query attention (with as many kv heads as heads
     * it is the 65B). Its attn_v is 8x smaller than attn_q, so low presets raise it to Q5_K.
     */
    public boolean isLlama70B() { return architecture.equals("llama") && nLayer == 80 && nHead != nHeadKv; }

    /** Reads the hyper-parameters from a GGUF file's metadata. */
    public static ModelHparams of(GgufFile gguf) {
        String arch = gguf.kv("general.architecture").map(kv -> String.valueOf(kv.value()))
                .orElseThrow(() -> new IllegalArgumentException("general.architecture is missing"));
        int nLayer = integer(gguf, arch + ".block_count")
                .orElseThrow(() -> new IllegalArgumentException(arch + ".block_count is missing"));
        int nHead = integer(gguf, arch + ".attention.head_count").orElse(0);
        int nHeadKv = integer(gguf, arch + ".attention.head_count_kv").orElse(nHead);
        int nExpert = integer(gguf, arch + ".expert_count").orElse(0);
        return new ModelHparams(arch, nLayer, nHead, nHeadKv, nExpert);
    }

    /** An integer key; per-layer arrays (some models vary heads by layer) give layer 0's value, as llama.cpp uses. */
    private static Optional<Integer> integer(GgufFile gguf, String key) {
        return gguf.kv(key).map(GgufKv::value).map(v -> {
            Object first = v instanceof GgufArray a ? (a.isEmpty() ? 0L : a.getFirst()) : v;
            if (!(first instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + " is not a small non-negative integer: " + v);
            }
            return (int) (long) l;
        });
    }
}
