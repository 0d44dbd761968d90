package dev.quantscope.quant.preset;

import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What changes in llama-quantize's choices when it is given --imatrix (llama.cpp's has_imatrix). */
class PresetRulesImatrixTest {
    private static final ModelHparams LLAMA_32 = new ModelHparams("llama", 32, 32, 32, 0);

    private static TensorContext ctx(TensorCategory c, String name, int layer) {
        return new TensorContext("blk." + layer + "." + name, c, 4096, layer, 32, layer, 32, false, LLAMA_32);
    }

    @Test
    void q4_0AndQ5_0TakeATypeWithAMinimumForTheFirstEighthOfFfnDown() {
        for (int i = 0; i < 32; i++) {
            TensorContext down = ctx(TensorCategory.FFN_DOWN, "ffn_down.weight", i);
            boolean first = i < 4;
            assertEquals(first ? DType.Q4_1 : DType.Q4_0, PresetRules.choose(Preset.Q4_0, down, true), "layer " + i);
            assertEquals(first ? DType.Q5_1 : DType.Q5_0, PresetRules.choose(Preset.Q5_0, down, true), "layer " + i);
            // without an importance matrix nothing is raised, so older outputs stay reproducible
            assertEquals(DType.Q4_0, PresetRules.choose(Preset.Q4_0, down, false));
            assertEquals(DType.Q4_0, PresetRules.choose(Preset.Q4_0, down));
            // other tensors and the _1 presets are unaffected
            assertEquals(DType.Q4_0, PresetRules.choose(Preset.Q4_0, ctx(TensorCategory.FFN_UP, "ffn_up.weight", i), true));
            assertEquals(DType.Q4_1, PresetRules.choose(Preset.Q4_1, down, true));
        }
    }

    @Test
    void iq4_nlNoLongerRaisesTheFirstEighthWithAnImportanceMatrix() {
        TensorContext first = ctx(TensorCategory.FFN_DOWN, "ffn_down.weight", 0);
        assertEquals(DType.Q5_K, PresetRules.choose(Preset.IQ4_NL, first, false));
        assertEquals(DType.IQ4_NL, PresetRules.choose(Preset.IQ4_NL, first, true));
    }

    @Test
    void kQuantMixesAreTheSameWithOrWithout() {
        for (Preset p : new Preset[] {Preset.Q2_K, Preset.Q3_K_M, Preset.Q4_K_M, Preset.Q4_K_S, Preset.Q5_K_M, Preset.Q6_K}) {
            for (int i = 0; i < 32; i++) {
                for (TensorCategory c : new TensorCategory[] {TensorCategory.FFN_DOWN, TensorCategory.ATTENTION_V,
                        TensorCategory.ATTENTION_OUTPUT, TensorCategory.ATTENTION_Q}) {
                    TensorContext t = ctx(c, "x.weight", i);
                    assertEquals(PresetRules.choose(p, t, false), PresetRules.choose(p, t, true), p + " " + c + " " + i);
                }
            }
        }
    }
}
