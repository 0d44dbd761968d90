package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.tensor.Decoders;
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
 * @param ropeScaling    how RoPE is stretched beyond the trained context (linear, YaRN or none)
 * @param ropeFreqFactors per dimension pair, the factor its RoPE frequency is divided by (Llama 3's
 *                       {@code rope_freqs.weight}, or computed from a Hugging Face {@code llama3} rope_scaling);
 *                       empty when the model has none
 * @param ropeStyle      which dimensions rotate together
 * @param rmsEps         RMSNorm epsilon
 * @param qkvBias        whether q/k/v projections have biases (Qwen2)
 */
public record LlamaConfig(String architecture, WeightLayout layout, int dim, int layers, int heads, int kvHeads,
                          int headDim, int ffnDim, int vocab, int contextLength, int ropeDim, double ropeTheta,
                          RopeScaling ropeScaling, List<Float> ropeFreqFactors, RopeStyle ropeStyle, float rmsEps,
                          boolean qkvBias) {

    public LlamaConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || ffnDim <= 0 || vocab <= 0) {
            throw new IllegalArgumentException("non-positive size in " + architecture + " config");
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException(heads + " heads not a multiple of " + kvHeads + " KV heads");
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0) {
            throw new IllegalArgumentException("RoPE dimension " + ropeDim + " does not fit head dimension " + headDim);
        }
        java.util.Objects.requireNonNull(ropeScaling);
        ropeFreqFactors = List.copyOf(ropeFreqFactors);
        if (!ropeFreqFactors.isEmpty() && ropeFreqFactors.size() != ropeDim / 2) {
            throw new IllegalArgumentException(ropeFreqFactors.size() + " RoPE frequency factors for " + ropeDim / 2
                    + " dimension pairs");
        }
        for (float f : ropeFreqFactors) {
            if (!(f > 0) || Float.isInfinite(f)) throw new IllegalArgumentException("RoPE frequency factor " + f);
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
        int ctx = md.containsKey(p + "context_length") ? intKey(md, p + "context_length") : 2048;
        RopeScaling scaling = ggufRopeScaling(md, p, ctx);
        // Llama 3.1+: llama.cpp divides each pair's frequency by this tensor's entry, whatever the scaling type.
        List<Float> freqFactors = model.tensor("rope_freqs.weight").map(LlamaConfig::floats).orElse(List.of());
        int vocab = md.containsKey(p + "vocab_size") ? intKey(md, p + "vocab_size")
                : md.get("tokenizer.ggml.tokens") instanceof List<?> l ? l.size()
                : rows(model, "token_embd.weight");
        float eps = (float) number(md, p + "attention.layer_norm_rms_epsilon");
        boolean bias = model.tensor("blk.0.attn_q.bias").isPresent();
        return new LlamaConfig(arch, WeightLayout.GGUF, dim, intKey(md, p + "block_count"), heads, kvHeads, headDim,
                intKey(md, p + "feed_forward_length"), vocab, ctx, ropeDim, theta, scaling, freqFactors, style, eps, bias);
    }

    /**
     * The scaling llama.cpp's loader and context derive from {@code rope.scaling.*}: the type defaults to linear
     * (so a bare factor, or the old {@code rope.scale_linear}, scales linearly), "none" disables it, a factor of 0
     * or none means 1.
     */
    private static RopeScaling ggufRopeScaling(Map<String, Object> md, String p, int ctx) {
        Object type = md.getOrDefault(p + "rope.scaling.type", "linear");
        double factor = md.containsKey(p + "rope.scaling.factor") ? number(md, p + "rope.scaling.factor")
                : md.containsKey(p + "rope.scale_linear") ? number(md, p + "rope.scale_linear") : 0.0;
        return switch (String.valueOf(type)) {
            case "none" -> new RopeScaling.None();
            case "linear" -> factor == 0.0 || factor == 1.0 ? new RopeScaling.None() : new RopeScaling.Linear(factor);
            case "yarn" -> {
                if (md.containsKey(p + "rope.scaling.yarn_ext_factor") && number(md, p + "rope.scaling.yarn_ext_factor") != 1.0) {
                    throw new IllegalArgumentException("YaRN with ext_factor " + md.get(p + "rope.scaling.yarn_ext_factor")
                            + " is not supported (only 1)");
                }
                if (factor == 0.0) throw new IllegalArgumentException("YaRN without " + p + "rope.scaling.factor");
                int original = md.containsKey(p + "rope.scaling.original_context_length")
                        ? intKey(md, p + "rope.scaling.original_context_length") : ctx;
                double betaFast = md.containsKey(p + "rope.scaling.yarn_beta_fast") ? number(md, p + "rope.scaling.yarn_beta_fast") : 32.0;
                double betaSlow = md.containsKey(p + "rope.scaling.yarn_beta_slow") ? number(md, p + "rope.scaling.yarn_beta_slow") : 1.0;
                double attnFactor = md.containsKey(p + "rope.scaling.attn_factor") ? number(md, p + "rope.scaling.attn_factor") : 1.0;
                double logMul = md.containsKey(p + "rope.scaling.yarn_log_multiplier") ? number(md, p + "rope.scaling.yarn_log_multiplier") : 0.0;
                // llama.cpp's context sets attn_factor to get_mscale(factor) (or the ratio with the log multiplier),
                // cancels the 1 + 0.1 ln(factor) ggml's rope_yarn multiplies in, and multiplies by the file's
                // attn_factor: what reaches cos/sin is the product below.
                double mscale = logMul != 0.0
                        ? RopeScaling.Yarn.mscale(factor, 1.0) / RopeScaling.Yarn.mscale(factor, logMul)
                        : RopeScaling.Yarn.mscale(factor, 1.0);
                yield new RopeScaling.Yarn(factor, original, betaFast, betaSlow, mscale * attnFactor);
            }
            default -> throw new IllegalArgumentException("RoPE scaling " + type + " is not supported");
        };
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
        int ctx = cfg.get("max_position_embeddings") != null ? intKey(cfg, "max_position_embeddings") : 2048;
        RopeScaling scaling = new RopeScaling.None();
        List<Float> freqFactors = List.of();
        if (cfg.get("rope_scaling") instanceof Map<?, ?> rs) {
            Object type = rs.get("rope_type") != null ? rs.get("rope_type") : rs.get("type");
            switch (String.valueOf(type)) {
                case "default" -> { }
                case "linear" -> scaling = new RopeScaling.Linear(number(rs, "factor"));
                case "llama3" -> freqFactors = llama3FreqFactors(rs, theta, headDim);
                case "yarn" -> scaling = hfYarn(rs, ctx);
                default -> throw new IllegalArgumentException("RoPE scaling " + type + " is not supported");
            }
        }
        boolean bias = model.tensor("model.layers.0.self_attn.q_proj.bias").isPresent();
        return new LlamaConfig(arch, WeightLayout.HUGGING_FACE, dim, intKey(cfg, "num_hidden_layers"), heads, kvHeads,
                headDim, intKey(cfg, "intermediate_size"), intKey(cfg, "vocab_size"), ctx, headDim, theta, scaling,
                freqFactors, RopeStyle.HALF_SPLIT, (float) number(cfg, "rms_norm_eps"), bias);
    }

    /**
     * Llama 3.1's rope_scaling as per-pair frequency factors, the values llama.cpp's converter writes to
     * {@code rope_freqs.weight}: pairs whose wavelength is shorter than original_context / high_freq_factor keep
     * their frequency (1), those longer than original_context / low_freq_factor are divided by the factor, and
     * those between are blended smoothly.
     */
    static List<Float> llama3FreqFactors(Map<?, ?> rs, double theta, int dims) {
        double factor = number(rs, "factor");
        double low = number(rs, "low_freq_factor"), high = number(rs, "high_freq_factor");
        double original = number(rs, "original_max_position_embeddings");
        if (!(high > low)) throw new IllegalArgumentException("llama3 RoPE: high_freq_factor must exceed low_freq_factor");
        double lowWavelength = original / low, highWavelength = original / high;
        Float[] out = new Float[dims / 2];
        for (int i = 0; i < out.length; i++) {
            double wavelength = 2 * Math.PI * Math.pow(theta, 2.0 * i / dims);
            double f;
            if (wavelength < highWavelength) f = 1.0;
            else if (wavelength > lowWavelength) f = factor;
            else {
                double smooth = (original / wavelength - low) / (high - low);
                f = 1.0 / ((1 - smooth) / factor + smooth);
            }
            out[i] = (float) f;
        }
        return List.of(out);
    }

    /**
     * transformers' YaRN parameters: the original context defaults to max_position_embeddings, beta_fast/slow to
     * 32/1, and the magnitude is attention_factor when given, else get_mscale(factor, mscale) /
     * get_mscale(factor, mscale_all_dim) when both are given, else get_mscale(factor).
     */
    private static RopeScaling hfYarn(Map<?, ?> rs, int maxPositions) {
        double factor = number(rs, "factor");
        if (Boolean.FALSE.equals(rs.get("truncate"))) {
            throw new IllegalArgumentException("YaRN with truncate=false is not supported (llama.cpp always truncates)");
        }
        int original = rs.get("original_max_position_embeddings") != null
                ? intKey(rs, "original_max_position_embeddings") : maxPositions;
        double betaFast = rs.get("beta_fast") != null ? number(rs, "beta_fast") : 32.0;
        double betaSlow = rs.get("beta_slow") != null ? number(rs, "beta_slow") : 1.0;
        double magnitude;
        if (rs.get("attention_factor") != null) {
            magnitude = number(rs, "attention_factor");
        } else if (rs.get("mscale") instanceof Number m && rs.get("mscale_all_dim") instanceof Number all
                && m.doubleValue() != 0 && all.doubleValue() != 0) {
            magnitude = RopeScaling.Yarn.mscale(factor, m.doubleValue()) / RopeScaling.Yarn.mscale(factor, all.doubleValue());
        } else {
            magnitude = RopeScaling.Yarn.mscale(factor, 1.0);
        }
        return new RopeScaling.Yarn(factor, original, betaFast, betaSlow, magnitude);
    }

    private static List<Float> floats(TensorInfo t) {
        float[] values = Decoders.decodeAll(t);
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) boxed[i] = values[i];
        return List.of(boxed);
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
