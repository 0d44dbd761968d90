package dev.quantscope.stats;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.quantscope.stats.StatsFixtures.shared;
import static org.junit.jupiter.api.Assertions.*;

class ModelSummaryTest {

    @Test
    void layerKindsOfGgufAndHuggingFaceNames() {
        Map<String, LayerKind> expected = Map.ofEntries(
                Map.entry("blk.0.attn_q.weight", LayerKind.ATTENTION),
                Map.entry("blk.3.attn_output.weight", LayerKind.ATTENTION),
                Map.entry("blk.0.ffn_down.weight", LayerKind.MLP),
                Map.entry("blk.0.ffn_gate.weight", LayerKind.MLP),
                Map.entry("blk.0.attn_norm.weight", LayerKind.NORM),
                Map.entry("blk.0.ffn_norm.weight", LayerKind.NORM),
                Map.entry("token_embd.weight", LayerKind.EMBEDDING),
                Map.entry("output.weight", LayerKind.EMBEDDING),
                Map.entry("output_norm.weight", LayerKind.NORM),
                Map.entry("model.layers.0.self_attn.q_proj.weight", LayerKind.ATTENTION),
                Map.entry("model.layers.0.self_attn.o_proj.weight", LayerKind.ATTENTION),
                Map.entry("model.layers.0.mlp.down_proj.weight", LayerKind.MLP),
                Map.entry("model.layers.0.input_layernorm.weight", LayerKind.NORM),
                Map.entry("model.layers.0.post_attention_layernorm.weight", LayerKind.NORM),
                Map.entry("model.embed_tokens.weight", LayerKind.EMBEDDING),
                Map.entry("model.norm.weight", LayerKind.NORM),
                Map.entry("lm_head.weight", LayerKind.EMBEDDING),
                Map.entry("transformer.h.0.ln_1.weight", LayerKind.NORM),
                Map.entry("fc1.weight", LayerKind.MLP),
                Map.entry("rope_freqs.weight", LayerKind.OTHER));
        expected.forEach((name, kind) -> assertEquals(kind, LayerKind.of(name), name));
    }

    @Test
    void stories260KTotalsByDtypeAndKind() throws Exception {
        try (Model m = ModelOpener.open(shared("models/stories260K.gguf"))) {
            ModelSummary s = new StatsEngine(m).summary();
            assertEquals(m.parameterCount(), s.parameters());
            assertEquals(m.tensorBytes(), s.bytes());
            assertEquals(List.of(DType.F32), List.copyOf(s.byDtype().keySet()));
            assertEquals(32.0, s.bitsPerWeight(), 0);

            // 5 layers: wq/wk/wv/wo per layer; the dims are dim 64, 4 KV heads of 8 → k/v are 64×32.
            ModelSummary.Totals attn = s.byKind().get(LayerKind.ATTENTION);
            assertEquals(20, attn.tensors());
            assertEquals(5 * (64 * 64 * 2 + 64 * 32 * 2), attn.parameters());
            ModelSummary.Totals mlp = s.byKind().get(LayerKind.MLP);
            assertEquals(15, mlp.tensors());
            assertEquals(5 * 3 * 64 * 172, mlp.parameters());
            long sumTensors = 0, sumParams = 0, sumBytes = 0;
            for (ModelSummary.Totals t : s.byKind().values()) {
                sumTensors += t.tensors();
                sumParams += t.parameters();
                sumBytes += t.bytes();
            }
            assertEquals(m.tensors().size(), sumTensors);
            assertEquals(s.parameters(), sumParams);
            assertEquals(s.bytes(), sumBytes);
        }
    }

    @Test
    void devModelMixesF16AndF32InDescendingByteOrder() throws Exception {
        try (Model m = ModelOpener.open(shared("models/synth-llama-dev-f16.gguf"))) {
            ModelSummary s = new StatsEngine(m).summary();
            List<DType> order = List.copyOf(s.byDtype().keySet());
            assertEquals(DType.F16, order.getFirst(), "the weights dominate");
            long previous = Long.MAX_VALUE;
            for (ModelSummary.Totals t : s.byDtype().values()) {
                assertTrue(t.bytes() <= previous);
                previous = t.bytes();
            }
            long f16Params = m.tensors().stream().filter(t -> t.dtype() == DType.F16)
                    .mapToLong(TensorInfo::parameters).sum();
            assertEquals(f16Params, s.byDtype().get(DType.F16).parameters());
            assertTrue(s.bitsPerWeight() > 16 && s.bitsPerWeight() < 17, "mostly F16: " + s.bitsPerWeight());
        }
    }
}
