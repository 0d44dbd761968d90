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
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(new RopeScaling.Linear(4.0), c.ropeScaling());
        assertEquals(List.of(), c.ropeFreqFactors());
        assertEquals(151936, c.vocab());
        assertFalse(c.qkvBias(), "no bias tensors in a metadata-only model");
    }

    @Test
    void huggingFaceConfigJson() {
        Map<String, Object> cfg = llama32Config();
        LlamaConfig c = LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg)));
        assertEquals(WeightLayout.HUGGING_FACE, c.layout());
        assertEquals(RopeStyle.HALF_SPLIT, c.ropeStyle());
        assertEquals(64, c.headDim());
        assertEquals(8, c.kvHeads());
        assertEquals(500000.0, c.ropeTheta());

        assertEquals(new RopeScaling.None(), c.ropeScaling());
        assertEquals(List.of(), c.ropeFreqFactors());

        cfg.put("rope_scaling", Map.of("rope_type", "dynamic", "factor", 2.0));
        assertThrows(IllegalArgumentException.class,
                () -> LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg))));
    }

    private static Map<String, Object> llama32Config() {
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
        cfg.put("max_position_embeddings", 131072L);
        return cfg;
    }

    @Test
    void huggingFaceLlama3ScalingBecomesFrequencyFactors() {
        Map<String, Object> cfg = llama32Config();
        cfg.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 32.0, "low_freq_factor", 1.0,
                "high_freq_factor", 4.0, "original_max_position_embeddings", 8192L));
        LlamaConfig c = LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg)));
        assertEquals(new RopeScaling.None(), c.ropeScaling(), "llama3 scaling lives in the factors");
        assertEquals(32, c.ropeFreqFactors().size());
        // wavelength 2π·500000^(2i/64) against 8192/4 and 8192/1: pair 0 keeps its frequency, the last is divided
        // by 32, and the pairs whose wavelength falls between are blended
        double theta = 500000.0;
        for (int i = 0; i < 32; i++) {
            double wavelength = 2 * Math.PI * Math.pow(theta, 2.0 * i / 64);
            float f = c.ropeFreqFactors().get(i);
            if (wavelength < 2048) assertEquals(1f, f, "pair " + i);
            else if (wavelength > 8192) assertEquals(32f, f, "pair " + i);
            else {
                double smooth = (8192 / wavelength - 1) / 3;
                assertEquals(1 / ((1 - smooth) / 32 + smooth), f, 1e-5 * f, "pair " + i);
                assertTrue(f > 1 && f < 32, "pair " + i + ": " + f);
            }
        }
    }

    @Test
    void huggingFaceYarnDefaultsAndAttentionFactor() {
        Map<String, Object> cfg = llama32Config();
        cfg.put("architectures", List.of("Qwen2ForCausalLM"));
        cfg.put("max_position_embeddings", 32768L);
        cfg.put("rope_scaling", Map.of("type", "yarn", "factor", 4.0, "original_max_position_embeddings", 32768L));
        LlamaConfig c = LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg)));
        assertEquals(new RopeScaling.Yarn(4.0, 32768, 32, 1, 0.1 * Math.log(4.0) + 1), c.ropeScaling());

        cfg.put("rope_scaling", Map.of("rope_type", "yarn", "factor", 8.0, "attention_factor", 1.5, "beta_fast", 16.0,
                "beta_slow", 2.0));
        c = LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg)));
        assertEquals(new RopeScaling.Yarn(8.0, 32768, 16, 2, 1.5), c.ropeScaling(),
                "original context falls back to max_position_embeddings; attention_factor is the magnitude");

        cfg.put("rope_scaling", Map.of("rope_type", "yarn", "factor", 40.0, "mscale", 1.0, "mscale_all_dim", 0.707));
        c = LlamaConfig.of(metadataOnly(ModelFormat.SAFETENSORS, Map.of("config.json", cfg)));
        double expected = (0.1 * Math.log(40) + 1) / (0.1 * 0.707 * Math.log(40) + 1);
        assertEquals(expected, ((RopeScaling.Yarn) c.ropeScaling()).magnitude(), 1e-12);
    }

    private static Map<String, Object> qwen2Gguf() {
        Map<String, Object> md = new HashMap<>();
        md.put("general.architecture", "qwen2");
        md.put("qwen2.embedding_length", 896L);
        md.put("qwen2.block_count", 24L);
        md.put("qwen2.attention.head_count", 14L);
        md.put("qwen2.attention.head_count_kv", 2L);
        md.put("qwen2.feed_forward_length", 4864L);
        md.put("qwen2.attention.layer_norm_rms_epsilon", 1e-6);
        md.put("qwen2.context_length", 131072L);
        md.put("qwen2.vocab_size", 151936L);
        return md;
    }

    @Test
    void ggufYarnKeysAsLlamaCppReadsThem() {
        Map<String, Object> md = qwen2Gguf();
        md.put("qwen2.rope.scaling.type", "yarn");
        md.put("qwen2.rope.scaling.factor", 4.0);
        md.put("qwen2.rope.scaling.original_context_length", 32768L);
        LlamaConfig c = LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md));
        assertEquals(new RopeScaling.Yarn(4.0, 32768, 32, 1, 0.1 * Math.log(4.0) + 1), c.ropeScaling());

        md.put("qwen2.rope.scaling.attn_factor", 0.5);
        md.put("qwen2.rope.scaling.yarn_beta_fast", 8.0);
        md.remove("qwen2.rope.scaling.original_context_length");
        c = LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md));
        assertEquals(new RopeScaling.Yarn(4.0, 131072, 8, 1, 0.5 * (0.1 * Math.log(4.0) + 1)), c.ropeScaling(),
                "original context defaults to the training context; attn_factor multiplies the magnitude");

        md.put("qwen2.rope.scaling.type", "longrope");
        assertThrows(IllegalArgumentException.class, () -> LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md)));
    }

    @Test
    void ggufScalingTypeNoneIgnoresTheFactor() {
        Map<String, Object> md = qwen2Gguf();
        md.put("qwen2.rope.scaling.type", "none");
        md.put("qwen2.rope.scaling.factor", 4.0);
        assertEquals(new RopeScaling.None(), LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md)).ropeScaling());
        md.remove("qwen2.rope.scaling.type");
        assertEquals(new RopeScaling.Linear(4.0), LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md)).ropeScaling(),
                "llama.cpp's default scaling type is linear");
    }

    @Test
    void otherArchitecturesAreRefused() {
        Map<String, Object> md = Map.of("general.architecture", "gpt2");
        assertThrows(IllegalArgumentException.class, () -> LlamaConfig.of(metadataOnly(ModelFormat.GGUF, md)));
    }
}
