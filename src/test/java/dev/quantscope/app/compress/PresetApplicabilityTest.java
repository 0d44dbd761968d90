package dev.quantscope.app.compress;

import dev.quantscope.app.common.PresetApplicability;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.preset.Preset;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared applicability check on the bundled model, whose ffn_down rows of 172 no 32-block fits. */
class PresetApplicabilityTest {
    @Test
    void legacyBlockPresetsAreRefusedWithTheReasonAndKQuantsApply() throws Exception {
        try (Model m = ModelOpener.open(Path.of("assets/models/stories260K.gguf"))) {
            List<PresetApplicability> all = PresetApplicability.of(m);
            assertEquals(Arrays.asList(Preset.values()), all.stream().map(PresetApplicability::preset).toList(),
                    "in the chooser's order");
            PresetApplicability q80 = all.getFirst();
            assertEquals(Preset.Q8_0, q80.preset());
            assertTrue(q80.refusal().orElseThrow().contains("rows of 172"), q80.refusal().orElseThrow());
            // K-quants fall back for rows no 256-block fits (llama-quantize's rule), so they apply.
            for (Preset p : List.of(Preset.Q6_K, Preset.Q4_K_M, Preset.Q2_K)) {
                assertTrue(all.get(p.ordinal()).applies(), p.name());
            }
        }
    }
}
