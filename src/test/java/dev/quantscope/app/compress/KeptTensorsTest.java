package dev.quantscope.app.compress;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.Rule;
import dev.quantscope.tensor.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Compress page says about kept tensors, on the bundled stories260K (rows of 64 and 172). */
class KeptTensorsTest {
    private static Model model;

    @BeforeAll
    static void open() throws Exception {
        model = ModelOpener.open(Path.of("assets/models/stories260K.gguf"));
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
    }

    private static ModelPlan custom(DType type, List<Rule> rules) {
        return Plans.of(new Recipe("", new RecipeBase.DefaultScheme(new GgmlBlock(type)), rules), type.name(), model);
    }

    @Test
    void aSchemeNoTensorCanTakeIsSaidPlainlyWithTheRowsAndTheBlock() {
        ModelPlan q4k = custom(DType.Q4_K, List.of());
        assertTrue(q4k.tensors().stream().noneMatch(TensorPlan::changesValues), "every tensor is kept");
        assertEquals("No tensor of this model can take Q4_K: its rows (64, 172) are not multiples of 256; "
                + "every tensor would be kept as is.", KeptTensors.summary(q4k));
    }

    @Test
    void tensorsSomeOfWhichCannotTakeTheSchemeAreCountedByScheme() {
        ModelPlan q80 = custom(DType.Q8_0, List.of());
        long rows172 = model.tensors().stream().filter(t -> t.shape().rank() == 2 && t.shape().rowLength() == 172).count();
        assertTrue(rows172 > 1, "the model has ffn_down rows of 172");
        assertEquals(rows172 + " tensors cannot take Q8_0 and are kept as they are: their rows (172) are not multiples of 32.",
                KeptTensors.summary(q80));
        // A rule asking a scheme of its own for one of them is named on its own, in the order of the tensors.
        ModelPlan withRule = custom(DType.Q8_0, List.of(Rule.of("blk.0.ffn_down.weight", "ggml:Q4_K")));
        assertEquals("1 tensor cannot take Q4_K and is kept as it is: its rows (172) are not multiples of 256. "
                + (rows172 - 1) + " tensors cannot take Q8_0 and are kept as they are: their rows (172) are not "
                + "multiples of 32.", KeptTensors.summary(withRule));
    }

    @Test
    void aSchemeEveryTensorTakesNeedsNoWord() {
        assertEquals("", KeptTensors.summary(Plans.of(new Recipe("", new RecipeBase.DefaultScheme(
                dev.quantscope.quant.scheme.QuantScheme.parse("int8-sym-row-rtn")), List.of()), "int8", model)));
    }

    @Test
    void aKeptTensorIsExplainedWithoutCodesOrLevels() {
        ModelPlan q4k = custom(DType.Q4_K, List.of());
        String down = KeptTensors.why(q4k.tensor("blk.0.ffn_down.weight").orElseThrow());
        assertTrue(down.startsWith("Kept as it is: it cannot take the scheme asked for: rows of 172"), down);
        String norm = KeptTensors.why(q4k.tensor("blk.0.attn_norm.weight").orElseThrow());
        assertTrue(norm.contains("normalisation weights stay unquantized"), norm);
        for (String s : List.of(down, norm)) assertFalse(s.contains("level") || s.contains("code"), s);
    }
}
