package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LlamaConfigTest {

    private static Model metadataOnly(ModelFormat format, Map<String, Object> md) {
        return new Model(Path.of("x"), format, List.of(), md, null, null);
    }

    @Test
    void qwen2GgufUsesHalfSplitRopeAndItsOwnKeys() {
        Map<String, Object> md = new HashMap<>();
        md.put("general.architecture", "qwen2");
        md.put("qwen2.embedding_length", 896L);
        md.put("qwen2.block_count", 24L);
        md.put("qwen2.attention.head_count", 14L);
        md.put("qwen2.attention.head_count_kv", 2L);
        md.put("qwen2.feed_forward_length", 4864L);
        md.put("qwen2.rope.freq_base", 1000000.0);
        md.put("qwen2.attention.layer_norm_rms_epsilon", 1e-6);
        md.put("qwen2.context_length", 32768L);
        md.put("qwen2.rope.scaling.type", "linear");
        md.put("qwen2.rope.scaling.factor", 4.0);
        md.put("tokenizer.ggml.tokens", java.util.Collections.nCopies(151936, "t"));
        LlamaConfig c = LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md));
        assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle());
        assertEquals(64, c.headDim());
        assertEquals(64, c.ropeDim());
        assertEquals(128, c.kvDim());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(0.25, c.ropeFreqScale());
        assertEquals(151936, c.vocab());
        assertFalse(c.qkvBias(), "no bias tensors in a metadata-only model");
    }

    @Test
    void huggingFaceConfigJson() {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("architectures", List.of("LlamaForCausalLM"));
        cfg.put("hidden_size", 2048L);
        cfg.put("num_hidden_layers", 16L);
        cfg.put("num_attention_heads", 32L);
        cfg.put("num_key_value_heads", 8L);
        cfg.put("intermediate_size", 8192L);
        cfg.put("vocab_size", 128256L);
        cfg.put("rms_norm_eps", 1e-5);
        cfg.put("rope_theta", 500000.0);
        LlamaConfig c = LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg)));
        assertEquals(WeightLayout.HUGGING_FACE, c.layout());
        assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle());
        assertEquals(64, c.headDim());
        assertEquals(8, c.kvHeads());
        assertEquals(500000.0, c.ropeTheta());

        cfg.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 32.0));
        assertThrows(IllegalArgumentException.class,
                () -> LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg))));
    }

    @Test
    void otherArchitecturesAreRefused() {
        Map<String, Object> md = Map.of("general.architecture", "gpt2");
        assertThrows(IllegalArgumentException.class, () -> LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md)));
    }
}
