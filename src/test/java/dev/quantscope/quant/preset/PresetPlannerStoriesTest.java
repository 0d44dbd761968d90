package dev.quantscope.quant.preset;

import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.tensor.DType;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.quantscope.tensor.DType.F16;
import static dev.quantscope.tensor.DType.F32;
import static dev.quantscope.tensor.DType.Q4_0;
import static dev.quantscope.tensor.DType.Q5_0;
import static dev.quantscope.tensor.DType.Q5_1;
import static dev.quantscope.tensor.DType.Q6_K;
import static dev.quantscope.tensor.DType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * stories260K (5 layers, dim 64, 8 heads / 4 kv heads so n_gqa = 2, FFN 172, with its own output.weight) has rows
 * of 64 and 172, neither a multiple of the K-quants' 256. The expectations below are worked out by hand from
 * llama.cpp's llama_tensor_get_type and tensor_type_fallback:
 * <ul>
 *   <li>output.weight: rows of 64 are not whole blocks of the preset's K type, so the output rule itself picks
 *       Q8_0 (it only needs 32) for every K preset.</li>
 *   <li>Every other tensor with rows of 64 falls back to a 32-block type of similar size: Q2_K/Q3_K -> Q4_0,
 *       Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0.</li>
 *   <li>ffn_down has rows of 172, which is not a multiple of 32 either: the fallback of the fallback is F16.</li>
 *   <li>attn_v counts: 5 attn_v tensors. use_more_bits(i, 5) has n/8 = 0 and 7n/8 = 4, so it holds for i = 4 and
 *       for (i - 0) % 3 == 2, i.e. layers 2 and 4 (Q4_K_M, Q5_K_M: Q6_K there, falling back to Q8_0).
 *       Q3_K_M gives the first two attn_v Q5_K (-> Q5_1) and the rest Q4_K (-> Q5_0); Q4_K_S gives the first
 *       four Q5_K (-> Q5_1). n_gqa = 2 is below 4, so Q2_K's attn_v is Q3_K (-> Q4_0).</li>
 *   <li>attn_output: Q2_K raises it to Q3_K (-> Q4_0), Q3_K_M to Q4_K (-> Q5_0), Q3_K_L to Q5_K (-> Q5_1).</li>
 *   <li>The 32-block presets (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL): llama.cpp defines no fallback for them, and
 *       172 is not a multiple of 32, so llama-quantize refuses the model at the first ffn_down.</li>
 *   <li>Norms (1-D) stay F32.</li>
 * </ul>
 */
class PresetPlannerStoriesTest {
    private static GgufFile stories;

    @BeforeAll
    static void load() throws IOException {
        try (Model m = GgufReader.open(SharedFiles.file("models/stories260K.gguf"))) {
            stories = (GgufFile) m.details();
        }
    }

    /** Expected types by tensor kind, with per-layer exceptions for attn_v. */
    private record Expect(DType rows64, DType attnV, Map<Integer, DType> attnVByLayer) {}

    private static Expect expectation(Preset p) {
        return switch (p) {
            case Q2_K, Q3_K_S -> new Expect(Q4_0, Q4_0, Map.of());
            case Q3_K_M -> new Expect(Q4_0, Q5_0, Map.of(0, Q5_1, 1, Q5_1));
            case Q3_K_L -> new Expect(Q4_0, Q5_1, Map.of());
            case Q4_K_S -> new Expect(Q5_0, Q5_0, Map.of(0, Q5_1, 1, Q5_1, 2, Q5_1, 3, Q5_1));
            case Q4_K_M -> new Expect(Q5_0, Q5_0, Map.of(2, Q8_0, 4, Q8_0));
            case Q5_K_S -> new Expect(Q5_1, Q5_1, Map.of());
            case Q5_K_M -> new Expect(Q5_1, Q5_1, Map.of(2, Q8_0, 4, Q8_0));
            case Q6_K -> new Expect(Q8_0, Q8_0, Map.of());
            case Q8_0, Q5_0, Q5_1, Q4_0, Q4_1, IQ4_NL -> null;
        };
    }

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S",
            "Q5_K_M", "Q6_K"})
    void kQuantPresetsFallBackTo32BlockTypesAndF16(Preset preset) {
        Expect e = expectation(preset);
        Map<String, TensorChoice> plan = byName(PresetPlanner.plan(preset, stories));
        assertEquals(48, plan.size());
        assertEquals(Q8_0, plan.get("output.weight").type());
        assertEquals(F32, plan.get("output_norm.weight").type());
        // attn_output is raised by Q3_K_L to Q5_K (-> Q5_1), by Q3_K_M to Q4_K (-> Q5_0), by Q2_K to Q3_K (-> Q4_0,
        // the same as Q2_K's own fallback)
        DType attnOutput = switch (preset) {
            case Q3_K_L -> Q5_1;
            case Q3_K_M -> Q5_0;
            default -> e.rows64();
        };
        for (String name : plan.keySet()) {
            TensorChoice c = plan.get(name);
            if (!name.startsWith("blk.")) continue;
            int layer = Integer.parseInt(name.split("\\.")[1]);
            DType want;
            if (name.endsWith("_norm.weight")) want = F32;
            else if (name.contains("ffn_down")) want = F16;
            else if (name.contains("attn_v")) want = e.attnVByLayer().getOrDefault(layer, e.attnV());
            else if (name.contains("attn_output")) want = attnOutput;
            else want = e.rows64();
            assertEquals(want, c.type(), preset + " " + name);
            assertEquals(c.quantizable() && c.type() != preset.defaultType(), c.fellBack(), preset + " " + name);
        }
        assertEquals(e.rows64(), plan.get("token_embd.weight").type());
    }

    @Test
    void theFallbackKeepsWhatTheRulesWanted() {
        Map<String, TensorChoice> plan = byName(PresetPlanner.plan(Preset.Q4_K_M, stories));
        assertEquals(Q6_K, plan.get("blk.2.ffn_down.weight").ruleType()); // use_more_bits(2, 5)
        assertEquals(F16, plan.get("blk.2.ffn_down.weight").type());
        assertEquals(DType.Q4_K, plan.get("blk.1.ffn_down.weight").ruleType());
        assertEquals(Q6_K, plan.get("blk.4.attn_v.weight").ruleType());
        assertEquals(Q8_0, plan.get("blk.4.attn_v.weight").type());
    }

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"Q8_0", "Q5_0", "Q5_1", "Q4_0", "Q4_1", "IQ4_NL"})
    void thirtyTwoBlockPresetsAreRefusedLikeLlamaQuantizeDoes(Preset preset) {
        PresetNotApplicableException e = assertThrows(PresetNotApplicableException.class,
                () -> PresetPlanner.plan(preset, stories));
        assertEquals("blk.0.ffn_down.weight", e.tensor());
    }

    private static Map<String, TensorChoice> byName(List<TensorChoice> plan) {
        Map<String, TensorChoice> m = new HashMap<>();
        for (TensorChoice c : plan) m.put(c.name(), c);
        return m;
    }
}
