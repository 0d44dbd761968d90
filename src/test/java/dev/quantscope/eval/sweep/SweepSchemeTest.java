package dev.quantscope.eval.sweep;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.Rule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepSchemeTest {

    @Test
    void parsesPresetsAndSchemeIds() {
        assertEquals(new SweepScheme.PresetScheme(Preset.Q4_K_M), SweepScheme.parse(" q4_k_m "));
        SweepScheme int4 = SweepScheme.parse("int4-asym-g128-mse");
        assertInstanceOf(SweepScheme.SingleScheme.class, int4);
        assertEquals("int4-asym-g128-mse", int4.id());
        assertEquals("ggml:Q8_0", SweepScheme.parse("ggml:Q8_0").id());
        assertEquals(Preset.values().length, SweepScheme.allPresets().size());
        assertEquals("Q8_0", SweepScheme.allPresets().getFirst().id());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepScheme.parse("Q9_Z"));
        assertTrue(e.getMessage().contains("Q4_K_M") && e.getMessage().contains("Q9_Z"), e.getMessage());
    }

    @Test
    void aPresetRecipeIsThePresetAndACustomRecipeIdFollowsItsContent() {
        assertEquals(new SweepScheme.PresetScheme(Preset.Q6_K), SweepScheme.of(Recipe.preset(Preset.Q6_K)));
        Recipe a = Recipe.of(QuantScheme.parse("int4-sym-g64-rtn"),
                Rule.of("blk.*.ffn_down*", "int8-sym-row-rtn")).withName("mixed 4/8");
        Recipe b = Recipe.of(QuantScheme.parse("int4-sym-g64-rtn"),
                Rule.of("blk.*.ffn_down*", "int6-sym-row-rtn")).withName("mixed 4/8");
        SweepScheme sa = SweepScheme.of(a);
        assertEquals(sa.id(), SweepScheme.of(a).id());
        assertTrue(sa.id().startsWith("recipe:mixed_4/8:"), sa.id());
        assertNotEquals(sa.id(), SweepScheme.of(b).id());
        assertEquals("mixed 4/8", sa.label());
        // Ids name cache files through a digest, so any character is fine there.
        assertEquals(32 + ".json".length(), new SweepCache.Key("m", sa.id(), "", "t", 128, 0, 64, 16, 2).fileName().length());
        assertTrue(Path.of(new SweepCache.Key("m", sa.id(), "", "t", 128, 0, 64, 16, 2).fileName()).getNameCount() == 1);
    }
}
