package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.tensor.TensorInfo;

import java.util.List;
import java.util.Map;

/**
 * Hyper-parameters of a Llama-family decoder, read from GGUF metadata ({@code llama.*}, {@code qwen2.*}) or from a
 * Hugging Face {@code config.json}.
 *
 * @param architecture   "llama" or "qwen2"
 * @param layout         naming convention of the weights
 * @param dim            embedding length
 * @param layers         number of blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headDim        dimensions per head
 * @param ffnDim         hidden size of the SwiGLU MLP
 * @param vocab          vocabulary size (rows of the embedding)
 * @param contextLength  trained context length (the KV cache is sized by the caller)
 * @param ropeDim        dimensions per head that RoPE rotates (the rest pass through)
 * @param ropeTheta      RoPE frequency base
 * @param ropeFreqScale  linear RoPE scaling: positions are multiplied by this (1 = none)
 * @param ropeStyle      which dimensions rotate together
 * @param rmsEps         RMSNorm epsilon
 * @param qkvBias        whether q/k/v projections have biases (Qwen2)
 */
public record LlamaConfig(String architecture, WeightLayout layout, int dim, int layers, int heads, int kvHeads,
                          int headDim, int ffnDim, int vocab, int contextLength, int ropeDim, double ropeTheta,
                          double ropeFreqScale, RopeStyle ropeStyle, float rmsEps, boolean qkvBias) {

    public LlamaConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || ffnDim <= 0 || vocab <= 0) {
            throw new IllegalArgumentException("non-positive size in " + architecture + " config");
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException(heads + " heads not a multiple of " + kvHeads + " KV heads");
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE dimension " + ropeDim + " does not fit head dimension " + headDim);
        }
    }

    public int qDim() { return Math.multiplyExact(heads, headDim); }

    public int kvDim() { return Math.multiplyExact(kvHeads, headDim); }

    /** Reads the config of an open model, GGUF or Hugging Face (safetensors folder with config.json). */
    public static LlamaConfig of(Model model) {
        if (model.format() == ModelFormat.GGUF) return fromGguf(model.metadata(), model);
        if (model.metadata().get("config.json") instanceof Map<?, ?> cfg) return fromHfConfig(cfg, model);
        throw new IllegalArgumentException(model.source() + ": neither GGUF nor a Hugging Face folder with config.json");
    }

    static LlamaConfig fromGguf(Map<String, Object> md, Model model) {
        String arch = String.valueOf(md.get("general.architecture"));
        RopeStyle style = switch (arch) {
            case "llama" -> RopeStyle.ADJACENT_PAIRS;
            case "qwen2" -> RopeStyle.HALF_SPLIT;
            default -> throw new IllegalArgumentException("architecture " + arch + " is not a supported Llama-family decoder");
        };
        String p = arch + ".";
        int dim = intKey(md, p + "embedding_length");
        int heads = intKey(md, p + "attention.head_count");
        int kvHeads = md.containsKey(p + "attention.head_count_kv") ? intKey(md, p + "attention.head_count_kv") : heads;
        int headDim = md.containsKey(p + "attention.key_length") ? intKey(md, p + "attention.key_length") : dim / heads;
        int ropeDim = md.containsKey(p + "rope.dimension_count") ? intKey(md, p + "rope.dimension_count") : headDim;
        double theta = md.containsKey(p + "rope.freq_base") ? number(md, p + "rope.freq_base") : 10000.0;
        double freqScale = 1.0;
        Object scalingType = md.get(p + "rope.scaling.type");
        if (scalingType != null && !"none".equals(scalingType)) {
            if (!"linear".equals(scalingType)) throw new IllegalArgumentException("RoPE scaling " + scalingType + " is not supported");
            freqScale = 1.0 / number(md, p + "rope.scaling.factor");
        } else if (md.containsKey(p + "rope.scale_linear")) {
            freqScale = 1.0 / number(md, p + "rope.scale_linear");
        }
        if (model.tensor("rope_freqs.weight").isPresent()) {
            throw new IllegalArgumentException("per-dimension RoPE frequency factors (rope_freqs.weight) are not supported");
        }
        int vocab = md.containsKey(p + "vocab_size") ? intKey(md, p + "vocab_size")
                : md.get("tokenizer.ggml.tokens") instanceof List<?> l ? l.size()
                : rows(model, "token_embd.weight");
        float eps = (float) number(md, p + "attention.layer_norm_rms_epsilon");
        int ctx = md.containsKey(p + "context_length") ? intKey(md, p + "context_length") : 2048;
        boolean bias = model.tensor("blk.0.attn_q.bias").isPresent();
        return new LlamaConfig(arch, WeightLayout.GGUF, dim, intKey(md, p + "block_count"), heads, kvHeads, headDim,
                intKey(md, p + "feed_forward_length"), vocab, ctx, ropeDim, theta, freqScale, style, eps, bias);
    }

    static LlamaConfig fromHfConfig(Map<?, ?> cfg, Model model) {
        String archName = cfg.get("architectures") instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.getFirst()) : "";
        String arch = switch (archName) {
            case "LlamaForCausalLM", "MistralForCausalLM" -> "llama";
            case "Qwen2ForCausalLM" -> "qwen2";
            default -> throw new IllegalArgumentException("architecture " + archName + " is not a supported Llama-family decoder");
        };
        int dim = intKey(cfg, "hidden_size");
        int heads = intKey(cfg, "num_attention_heads");
        int kvHeads = cfg.get("num_key_value_heads") != null ? intKey(cfg, "num_key_value_heads") : heads;
        int headDim = cfg.get("head_dim") != null ? intKey(cfg, "head_dim") : dim / heads;
        double theta = cfg.get("rope_theta") != null ? number(cfg, "rope_theta") : 10000.0;
        double freqScale = 1.0;
        if (cfg.get("rope_scaling") instanceof Map<?, ?> rs) {
            Object type = rs.get("rope_type") != null ? rs.get("rope_type") : rs.get("type");
            if (!"linear".equals(type) && !"default".equals(type)) {
                throw new IllegalArgumentException("RoPE scaling " + type + " is not supported");
            }
            if ("linear".equals(type)) freqScale = 1.0 / number(rs, "factor");
        }
        int ctx = cfg.get("max_position_embeddings") != null ? intKey(cfg, "max_position_embeddings") : 2048;
        boolean bias = model.tensor("model.layers.0.self_attn.q_proj.bias").isPresent();
        return new LlamaConfig(arch, WeightLayout.HUGGING_FACE, dim, intKey(cfg, "num_hidden_layers"), heads, kvHeads,
                headDim, intKey(cfg, "intermediate_size"), intKey(cfg, "vocab_size"), ctx, headDim, theta, freqScale,
                RopeStyle.HALF_SPLIT, (float) number(cfg, "rms_norm_eps"), bias);
    }

    private static int rows(Model model, String name) {
        TensorInfo t = model.tensor(name).orElseThrow(() -> new IllegalArgumentException("missing tensor " + name));
        return Math.toIntExact(t.shape().rows());
    }

    private static int intKey(Map<?, ?> md, String key) {
        Object v = md.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("missing or non-numeric config key " + key);
        return Math.toIntExact(n.longValue());
    }

    private static double number(Map<?, ?> md, String key) {
        Object v = md.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("missing or non-numeric config key " + key);
        return n.doubleValue();
    }
}
