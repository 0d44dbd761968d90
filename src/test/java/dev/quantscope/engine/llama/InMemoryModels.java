package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Models built in memory from a real one, for tests: a quantized copy, or the same weights in Hugging Face layout. */
public final class InMemoryModels {
    private InMemoryModels() {}

    /** {@code source} quantized under {@code preset} with the project's llama-quantize-exact planner and quantizers. */
    public static Model quantized(Model source, Preset preset) {
        Arena arena = Arena.ofShared();
        Map<String, DType> types = new HashMap<>();
        for (TensorChoice c : PresetPlanner.plan(preset, (GgufFile) source.details())) types.put(c.name(), c.type());
        List<TensorInfo> tensors = new ArrayList<>();
        for (TensorInfo t : source.tensors()) {
            DType type = types.getOrDefault(t.name(), t.dtype());
            if (type == t.dtype()) {
                tensors.add(t);
                continue;
            }
            float[] values = Decoders.decodeAll(t);
            long bytes = type.byteSize(values.length);
            MemorySegment seg = arena.allocate(bytes, 64);
            if (type == DType.F16) {
                // Rows that fit no quantized block (172 elements) fall back to F16, a plain conversion.
                for (int i = 0; i < values.length; i++) {
                    seg.setAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(values[i]));
                }
            } else {
                GgmlQuantizer.create(type).quantize(values, 0, values.length, seg, 0);
            }
            tensors.add(new TensorInfo(t.name(), t.shape(), type, bytes, seg));
        }
        return new Model(source.source(), ModelFormat.GGUF, tensors, source.metadata(), arena, source.details());
    }

    /**
     * The GGUF Llama {@code source} as a Hugging Face checkpoint would hold it: HF tensor names, row-major shapes,
     * q/k rows un-permuted (llama.cpp's convert interleaves each head's two halves), and a config.json.
     */
    public static Model huggingFace(Model source) {
        Map<String, Object> md = source.metadata();
        int dim = ((Number) md.get("llama.embedding_length")).intValue();
        int heads = ((Number) md.get("llama.attention.head_count")).intValue();
        int kvHeads = ((Number) md.get("llama.attention.head_count_kv")).intValue();
        Arena arena = Arena.ofShared();
        List<TensorInfo> tensors = new ArrayList<>();
        for (TensorInfo t : source.tensors()) {
            String name = hfName(t.name());
            float[] values = Decoders.decodeAll(t);
            if (t.name().endsWith("attn_q.weight")) values = unpermute(values, heads, dim);
            if (t.name().endsWith("attn_k.weight")) values = unpermute(values, kvHeads, dim);
            MemorySegment seg = arena.allocate(values.length * 4L, 64);
            MemorySegment.copy(values, 0, seg, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
            long[] ne = t.shape().dims();
            long[] rowMajor = new long[ne.length];
            for (int i = 0; i < ne.length; i++) rowMajor[i] = ne[ne.length - 1 - i];
            tensors.add(new TensorInfo(name, dev.quantscope.tensor.Shape.rowMajor(rowMajor), DType.F32, values.length * 4L, seg));
        }
        Map<String, Object> config = new HashMap<>();
        config.put("architectures", List.of("LlamaForCausalLM"));
        config.put("hidden_size", (long) dim);
        config.put("num_hidden_layers", md.get("llama.block_count"));
        config.put("num_attention_heads", (long) heads);
        config.put("num_key_value_heads", (long) kvHeads);
        config.put("intermediate_size", md.get("llama.feed_forward_length"));
        config.put("vocab_size", (long) ((List<?>) md.get("tokenizer.ggml.tokens")).size());
        config.put("rms_norm_eps", md.get("llama.attention.layer_norm_rms_epsilon"));
        config.put("rope_theta", 10000.0);
        config.put("max_position_embeddings", 2048L);
        return new Model(source.source(), ModelFormat.SAFETENSORS, tensors, Map.of("config.json", config), arena, null);
    }

    private static String hfName(String gguf) {
        String n = gguf;
        if (!n.startsWith("blk.")) {
            return switch (n) {
                case "token_embd.weight" -> "model.embed_tokens.weight";
                case "output_norm.weight" -> "model.norm.weight";
                case "output.weight" -> "lm_head.weight";
                default -> throw new IllegalArgumentException(n);
            };
        }
        int dot = n.indexOf('.', 4);
        String layer = n.substring(4, dot), rest = n.substring(dot + 1);
        String hf = switch (rest) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "ffn_norm.weight" -> "post_attention_layernorm.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            default -> throw new IllegalArgumentException(rest);
        };
        return "model.layers." + layer + "." + hf;
    }

    /** GGUF row h·hd + 2i + s holds HF row h·hd + s·hd/2 + i. */
    private static float[] unpermute(float[] w, int heads, int cols) {
        int rows = w.length / cols, hd = rows / heads, half = hd / 2;
        float[] r = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int s = 0; s < 2; s++) {
                    System.arraycopy(w, (h * hd + 2 * i + s) * cols, r, (h * hd + s * half + i) * cols, cols);
                }
            }
        }
        return r;
    }
}
