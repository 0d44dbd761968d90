package dev.quantscope.pipeline.plan;

import dev.quantscope.recipe.*;

import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufReader;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.tensor.DType;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Preset recipes give PresetPlanner's type for every tensor, and re-plan on another model. */
class PresetRecipeTest {

    /** The ggml type a planned tensor ends up in. */
    private static DType typeOf(TensorPlan p) {
        return switch (p.scheme()) {
            case GgmlBlock g -> g.type();
            case Cast c -> c.type();
            case Keep k -> p.source();
            default -> throw new AssertionError(p.name() + ": a preset never picks " + p.scheme().id());
        };
    }

    @ParameterizedTest
    @EnumSource(Preset.class)
    void presetRecipeGivesThePlannersTypes(Preset preset) throws IOException {
        try (Model dev = GgufReader.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            List<TensorChoice> choices = PresetPlanner.plan(preset, (GgufFile) dev.details());
            ModelPlan plan = Plans.resolve(Recipe.preset(preset), dev);
            assertEquals(choices.size(), plan.tensors().size());
            long bytes = 0;
            for (TensorChoice c : choices) {
                TensorPlan p = plan.tensor(c.name()).orElseThrow();
                QuantScheme want = c.converts() ? new GgmlBlock(c.type()) : Keep.INSTANCE;
                assertEquals(want, p.scheme(), preset + " " + c.name());
                assertEquals(c.type(), typeOf(p), c.name());
                bytes += p.size().bytes();
            }
            assertTrue(plan.problems().isEmpty());
            assertEquals(bytes, plan.bytes());
        }
    }

    @Test
    void expandedPresetIsAnExplicitRuleListWithTheSamePlan() throws IOException {
        try (Model dev = GgufReader.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            ModelPlan byPreset = Plans.resolve(Recipe.preset(Preset.Q4_K_M), dev);
            Recipe expanded = PresetRecipes.expand(Preset.Q4_K_M, dev);
            assertEquals(dev.tensors().size(), expanded.rules().size());
            ModelPlan byRules = Plans.resolve(expanded, dev);
            for (TensorPlan p : byPreset.tensors()) {
                assertEquals(p.scheme(), byRules.tensor(p.name()).orElseThrow().scheme(), p.name());
            }
            assertEquals(byPreset.bytes(), byRules.bytes());
            assertEquals(expanded, RecipeJson.parse(RecipeJson.write(expanded), "expanded"));
        }
    }

    @Test
    void theSamePresetRecipeReplansOnAnotherModel() throws IOException {
        try (Model stories = GgufReader.open(SharedFiles.file("models/stories260K.gguf"))) {
            List<TensorChoice> choices = PresetPlanner.plan(Preset.Q4_K_M, (GgufFile) stories.details());
            ModelPlan plan = Plans.resolve(Recipe.preset(Preset.Q4_K_M), stories);
            int fellBack = 0;
            for (TensorChoice c : choices) {
                TensorPlan p = plan.tensor(c.name()).orElseThrow();
                assertEquals(c.type(), typeOf(p), c.name());
                if (c.fellBack()) {
                    fellBack++;
                    assertTrue(p.scheme() instanceof Cast || p.scheme() instanceof GgmlBlock, c.name());
                }
            }
            assertTrue(fellBack > 0, "rows of 64 and 172 make llama-quantize fall back from K-quants");
            assertTrue(plan.problems().isEmpty());
        }
    }
}
