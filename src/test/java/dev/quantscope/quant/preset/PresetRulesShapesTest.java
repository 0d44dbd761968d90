package dev.quantscope.quant.preset;

import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.quantscope.tensor.DType.F16;
import static dev.quantscope.tensor.DType.F32;
import static dev.quantscope.tensor.DType.Q3_K;
import static dev.quantscope.tensor.DType.Q4_0;
import static dev.quantscope.tensor.DType.Q4_K;
import static dev.quantscope.tensor.DType.Q5_0;
import static dev.quantscope.tensor.DType.Q5_1;
import static dev.quantscope.tensor.DType.Q5_K;
import static dev.quantscope.tensor.DType.Q6_K;
import static dev.quantscope.tensor.DType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules on model shapes other than the test files': layer position, GQA, 70B, MoE, Falcon, odd row lengths. */
class PresetRulesShapesTest {

    /** use_more_bits over 32 layers: first 4, last 4, and every third from layer 6 (known from real Q4_K_M files). */
    private static final Set<Integer> MORE_BITS_32 = Set.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31);

    @Test
    void useMoreBitsMatchesTheKnownLayerSets() {
        for (int i = 0; i < 32; i++) assertEquals(MORE_BITS_32.contains(i), PresetRules.useMoreBits(i, 32), "layer " + i);
        // 3 layers (the synthetic model): only the last; 5 layers: 2 and 4
        assertEquals(List.of(false, false, true), List.of(PresetRules.useMoreBits(0, 3), PresetRules.useMoreBits(1, 3),
                PresetRules.useMoreBits(2, 3)));
        assertTrue(PresetRules.useMoreBits(2, 5) && PresetRules.useMoreBits(4, 5) && !PresetRules.useMoreBits(3, 5));
    }

    @Test
    void llama2_7bQ4KM() {
        Map<String, DType> plan = plan(Preset.Q4_K_M, llama(32, 4096, 11008, 32, 32, 32000, false));
        for (int i = 0; i < 32; i++) {
            DType more = MORE_BITS_32.contains(i) ? Q6_K : Q4_K;
            assertEquals(more, plan.get("blk." + i + ".attn_v.weight"), "attn_v " + i);
            assertEquals(more, plan.get("blk." + i + ".ffn_down.weight"), "ffn_down " + i);
            assertEquals(Q4_K, plan.get("blk." + i + ".attn_q.weight"));
            assertEquals(Q4_K, plan.get("blk." + i + ".ffn_up.weight"));
            assertEquals(F32, plan.get("blk." + i + ".attn_norm.weight"));
        }
        assertEquals(Q6_K, plan.get("output.weight"));
        assertEquals(Q4_K, plan.get("token_embd.weight"));
    }

    @Test
    void llama2_7bQ3KMAndQ4KSRaiseTheFirstLayers() {
        Map<String, DType> m = plan(Preset.Q3_K_M, llama(32, 4096, 11008, 32, 32, 32000, false));
        for (int i = 0; i < 32; i++) {
            assertEquals(i < 2 ? Q5_K : Q4_K, m.get("blk." + i + ".attn_v.weight"), "attn_v " + i);   // first two attn_v
            assertEquals(i < 2 ? Q5_K : Q4_K, m.get("blk." + i + ".ffn_down.weight"), "ffn_down " + i); // i < 32/16
            assertEquals(Q4_K, m.get("blk." + i + ".attn_output.weight"));
            assertEquals(Q3_K, m.get("blk." + i + ".ffn_gate.weight"));
        }
        Map<String, DType> s = plan(Preset.Q4_K_S, llama(32, 4096, 11008, 32, 32, 32000, false));
        for (int i = 0; i < 32; i++) {
            assertEquals(i < 4 ? Q5_K : Q4_K, s.get("blk." + i + ".attn_v.weight"));   // first four attn_v
            assertEquals(i < 4 ? Q5_K : Q4_K, s.get("blk." + i + ".ffn_down.weight")); // i < 32/8
        }
    }

    @Test
    void groupedQueryAttentionRaisesAttnV() {
        Synth llama3 = llama(32, 4096, 14336, 32, 8, 128256, false); // n_gqa 4
        Synth llama2 = llama(32, 4096, 11008, 32, 32, 32000, false); // n_gqa 1
        assertEquals(Q4_K, plan(Preset.Q2_K, llama3).get("blk.7.attn_v.weight"));
        assertEquals(Q3_K, plan(Preset.Q2_K, llama2).get("blk.7.attn_v.weight"));
        assertEquals(Q5_K, plan(Preset.IQ4_NL, llama3).get("blk.7.attn_v.weight"));
        assertEquals(DType.IQ4_NL, plan(Preset.IQ4_NL, llama2).get("blk.7.attn_v.weight"));
        // IQ4_NL without an importance matrix: the first eighth of ffn_down goes to Q5_K
        Map<String, DType> iq = plan(Preset.IQ4_NL, llama3);
        for (int i = 0; i < 32; i++) assertEquals(i < 4 ? Q5_K : DType.IQ4_NL, iq.get("blk." + i + ".ffn_down.weight"));
        assertEquals(Q6_K, iq.get("output.weight"));
    }

    @Test
    void llama70bGivesAttnVQ5K() {
        Synth l70 = llama(80, 8192, 28672, 64, 8, 32000, false);
        assertEquals(Q5_K, plan(Preset.Q3_K_S, l70).get("blk.40.attn_v.weight"));
        assertEquals(Q5_K, plan(Preset.Q2_K, l70).get("blk.40.attn_v.weight")); // Q4_K for n_gqa 8, then the 70B rule
        assertEquals(Q3_K, plan(Preset.Q3_K_S, l70).get("blk.40.attn_q.weight"));
        // 80 layers with as many kv heads as heads is the 65B: no such rule
        assertEquals(Q3_K, plan(Preset.Q3_K_S, llama(80, 8192, 22016, 64, 64, 32000, false)).get("blk.40.attn_v.weight"));
    }

    @Test
    void tiedEmbeddingsAreQuantizedLikeTheOutput() {
        Synth tied = llama(16, 2048, 8192, 32, 8, 128256, true);
        assertEquals(Q6_K, plan(Preset.Q4_K_M, tied).get("token_embd.weight"));
        assertEquals(Q6_K, plan(Preset.Q4_0, tied).get("token_embd.weight"));
        assertEquals(Q8_0, plan(Preset.Q8_0, tied).get("token_embd.weight"));
        assertEquals(Q4_K, plan(Preset.Q4_K_M, llama(16, 2048, 8192, 32, 8, 128256, false)).get("token_embd.weight"));
    }

    /** Rows of 896 (a Qwen2-0.5B-like shape) fit 32-blocks but not 256: every K type takes its fallback. */
    @Test
    void rowsOf896FallBackPerLlamaCppsTable() {
        Synth qwen = llama(24, 896, 4864, 14, 2, 151936, false); // n_gqa 7
        Map<String, DType> m = plan(Preset.Q4_K_M, qwen);
        assertEquals(Q8_0, m.get("output.weight"));            // the output rule itself: 896 % 256 != 0
        assertEquals(Q5_0, m.get("blk.5.attn_q.weight"));      // Q4_K -> Q5_0
        assertEquals(Q8_0, m.get("blk.0.attn_v.weight"));      // Q6_K -> Q8_0
        assertEquals(Q5_0, m.get("blk.4.attn_v.weight"));      // use_more_bits(4, 24) is false
        assertEquals(Q6_K, m.get("blk.0.ffn_down.weight"));    // rows of 4864 = 19 x 256 fit
        assertEquals(Q4_K, m.get("blk.4.ffn_down.weight"));
        assertEquals(Q5_0, m.get("blk.4.ffn_up.weight"));
        assertEquals(Q5_1, plan(Preset.Q5_K_S, qwen).get("blk.4.ffn_up.weight"));  // Q5_K -> Q5_1
        assertEquals(Q8_0, plan(Preset.Q6_K, qwen).get("blk.4.ffn_up.weight"));    // Q6_K -> Q8_0
        assertEquals(Q4_0, plan(Preset.Q2_K, qwen).get("blk.4.ffn_up.weight"));    // Q2_K -> Q4_0
        assertEquals(Q5_0, plan(Preset.Q2_K, qwen).get("blk.4.attn_v.weight"));    // n_gqa 7: Q4_K -> Q5_0
        assertEquals(Q4_0, plan(Preset.Q3_K_S, qwen).get("blk.4.attn_k.weight"));  // Q3_K -> Q4_0
        assertEquals(Q4_0, plan(Preset.Q4_0, qwen).get("blk.4.attn_k.weight"));    // 32-block types fit as they are
    }

    @Test
    void fallbackTableAndItsLimits() {
        assertEquals(DType.IQ4_NL, PresetRules.fallback("t", DType.IQ4_XS, 96));
        assertEquals(Q4_0, PresetRules.fallback("t", DType.Q2_K, 96));
        assertEquals(Q4_0, PresetRules.fallback("t", Q3_K, 96));
        assertEquals(Q5_0, PresetRules.fallback("t", Q4_K, 96));
        assertEquals(Q5_1, PresetRules.fallback("t", Q5_K, 96));
        assertEquals(Q8_0, PresetRules.fallback("t", Q6_K, 96));
        assertEquals(F16, PresetRules.fallback("t", Q6_K, 100));
        assertEquals(Q6_K, PresetRules.fallback("t", Q6_K, 512));
        assertThrows(PresetNotApplicableException.class, () -> PresetRules.fallback("t", Q8_0, 100));
    }

    @Test
    void mixtureOfEightExperts() {
        List<SourceTensor> t = new ArrayList<>(llamaAttentionOnly(32, 4096, 32, 8));
        for (int i = 0; i < 32; i++) {
            t.add(new SourceTensor("blk." + i + ".ffn_gate_inp.weight", new long[] {4096, 8}, F32));
            t.add(new SourceTensor("blk." + i + ".ffn_down_exps.weight", new long[] {14336, 4096, 8}, DType.F16));
            t.add(new SourceTensor("blk." + i + ".ffn_up_exps.weight", new long[] {4096, 14336, 8}, DType.F16));
        }
        ModelHparams moe = new ModelHparams("llama", 32, 32, 8, 8);
        Map<String, DType> m = plan(Preset.Q4_K_M, moe, t);
        assertEquals(Q8_0, m.get("blk.3.attn_v.weight"));
        assertEquals(Q8_0, m.get("blk.3.attn_k.weight"));
        assertEquals(Q5_K, m.get("blk.3.attn_output.weight"));
        assertEquals(Q4_K, m.get("blk.3.attn_q.weight"));
        assertEquals(F32, m.get("blk.3.ffn_gate_inp.weight")); // the router is never quantized
        for (int i = 0; i < 32; i++) {
            assertEquals(MORE_BITS_32.contains(i) ? Q6_K : Q4_K, m.get("blk." + i + ".ffn_down_exps.weight"));
        }
        // the layer of an expert tensor is read from its name, which must have one
        List<SourceTensor> bad = new ArrayList<>(t);
        bad.add(new SourceTensor("ffn_down_exps.weight", new long[] {14336, 4096, 8}, DType.F16));
        assertThrows(PresetNotApplicableException.class, () -> PresetPlanner.plan(Preset.Q4_K_M, moe, bad));
    }

    /** Falcon-7B's real shapes: fused QKV counts as attn_v; dim 4544 is not a multiple of 256. */
    @Test
    void falcon7b() {
        List<SourceTensor> t = new ArrayList<>();
        t.add(new SourceTensor("token_embd.weight", new long[] {4544, 65024}, DType.F16));
        t.add(new SourceTensor("output.weight", new long[] {4544, 65024}, DType.F16));
        t.add(new SourceTensor("output_norm.weight", new long[] {4544}, F32));
        t.add(new SourceTensor("output_norm.bias", new long[] {4544}, F32));
        for (int i = 0; i < 32; i++) {
            String b = "blk." + i + ".";
            t.add(new SourceTensor(b + "attn_norm.weight", new long[] {4544}, F32));
            t.add(new SourceTensor(b + "attn_qkv.weight", new long[] {4544, 4672}, DType.F16));
            t.add(new SourceTensor(b + "attn_output.weight", new long[] {4544, 4544}, DType.F16));
            t.add(new SourceTensor(b + "ffn_up.weight", new long[] {4544, 18176}, DType.F16));
            t.add(new SourceTensor(b + "ffn_down.weight", new long[] {18176, 4544}, DType.F16));
        }
        Map<String, DType> m = plan(Preset.Q4_K_M, new ModelHparams("falcon", 32, 71, 1, 0), t);
        assertEquals(Q8_0, m.get("output.weight"));
        assertEquals(Q5_0, m.get("token_embd.weight"));
        for (int i = 0; i < 32; i++) {
            // attn_qkv: Q6_K at use_more_bits layers -> Q8_0 (rows of 4544), else Q4_K -> Q5_0
            assertEquals(MORE_BITS_32.contains(i) ? Q8_0 : Q5_0, m.get("blk." + i + ".attn_qkv.weight"), "qkv " + i);
            // Falcon's ffn_down under Q4_K_M: Q6_K below n/16, Q5_K at use_more_bits layers, else Q4_K (rows 18176 fit)
            DType down = i < 2 ? Q6_K : MORE_BITS_32.contains(i) ? Q5_K : Q4_K;
            assertEquals(down, m.get("blk." + i + ".ffn_down.weight"), "ffn_down " + i);
        }
        assertEquals(F32, m.get("output_norm.bias"));
    }

    @Test
    void whatIsNeverQuantized() {
        long[] matrix = {256, 256};
        assertFalse(QuantizableTensors.allowsQuantization("blk.0.attn_norm.weight", matrix));
        assertFalse(QuantizableTensors.allowsQuantization("blk.0.attn_q.bias", matrix));
        assertFalse(QuantizableTensors.allowsQuantization("blk.0.attn_q.weight", new long[] {256}));
        assertFalse(QuantizableTensors.allowsQuantization("blk.0.attn_q.weight", new long[] {256, 1, 1}));
        assertFalse(QuantizableTensors.allowsQuantization("position_embd.weight", matrix));
        assertFalse(QuantizableTensors.allowsQuantization("token_types.weight", matrix));
        assertFalse(QuantizableTensors.allowsQuantization("blk.0.ssm_conv1d.weight", matrix));
        assertFalse(QuantizableTensors.allowsQuantization("blk.0.ffn_gate_inp.weight", matrix));
        assertTrue(QuantizableTensors.allowsQuantization("blk.0.attn_q.weight", matrix));
        assertTrue(QuantizableTensors.allowsQuantization("blk.0.ffn_down_exps.weight", new long[] {256, 256, 8}));
    }

    @Test
    void categoriesFromNames() {
        assertEquals(TensorCategory.ATTENTION_QKV, TensorCategory.of("blk.0.attn_qkv.weight"));
        assertEquals(TensorCategory.ATTENTION_Q, TensorCategory.of("blk.0.attn_q.weight"));
        assertEquals(TensorCategory.FFN_DOWN, TensorCategory.of("blk.0.ffn_down_shexp.weight"));
        assertEquals(TensorCategory.OUTPUT, TensorCategory.of("output.weight"));
        assertEquals(TensorCategory.OTHER, TensorCategory.of("output_norm.weight"));
        assertEquals(TensorCategory.TOKEN_EMBD, TensorCategory.of("per_layer_token_embd.weight"));
    }

    // ---- synthetic model shapes, named and laid out like llama.cpp's Llama GGUF files ----

    /** A model's hyper-parameters with its tensors. */
    private record Synth(ModelHparams hparams, List<SourceTensor> tensors) {}

    private static Synth llama(int layers, int dim, int ffn, int heads, int kvHeads, int vocab, boolean tied) {
        List<SourceTensor> t = new ArrayList<>(llamaAttentionOnly(layers, dim, heads, kvHeads));
        t.add(new SourceTensor("token_embd.weight", new long[] {dim, vocab}, DType.F16));
        if (!tied) t.add(new SourceTensor("output.weight", new long[] {dim, vocab}, DType.F16));
        t.add(new SourceTensor("output_norm.weight", new long[] {dim}, F32));
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            t.add(new SourceTensor(b + "ffn_norm.weight", new long[] {dim}, F32));
            t.add(new SourceTensor(b + "ffn_gate.weight", new long[] {dim, ffn}, DType.F16));
            t.add(new SourceTensor(b + "ffn_up.weight", new long[] {dim, ffn}, DType.F16));
            t.add(new SourceTensor(b + "ffn_down.weight", new long[] {ffn, dim}, DType.F16));
        }
        return new Synth(new ModelHparams("llama", layers, heads, kvHeads, 0), t);
    }

    private static List<SourceTensor> llamaAttentionOnly(int layers, int dim, int heads, int kvHeads) {
        int kvDim = dim / heads * kvHeads;
        List<SourceTensor> t = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            t.add(new SourceTensor(b + "attn_norm.weight", new long[] {dim}, F32));
            t.add(new SourceTensor(b + "attn_q.weight", new long[] {dim, dim}, DType.F16));
            t.add(new SourceTensor(b + "attn_k.weight", new long[] {dim, kvDim}, DType.F16));
            t.add(new SourceTensor(b + "attn_v.weight", new long[] {dim, kvDim}, DType.F16));
            t.add(new SourceTensor(b + "attn_output.weight", new long[] {dim, dim}, DType.F16));
        }
        return t;
    }

    private static Map<String, DType> plan(Preset p, Synth model) {
        return plan(p, model.hparams(), model.tensors());
    }

    private static Map<String, DType> plan(Preset p, ModelHparams hp, List<SourceTensor> tensors) {
        Map<String, DType> m = new HashMap<>();
        for (TensorChoice c : PresetPlanner.plan(p, hp, tensors)) m.put(c.name(), c.type());
        return m;
    }
}
