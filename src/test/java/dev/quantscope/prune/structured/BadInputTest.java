package dev.quantscope.prune.structured;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.quantscope.prune.structured.PrunedLlamas.stories;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is refused, each time with one sentence that names no Java class. */
class BadInputTest {

    @ParameterizedTest
    @ValueSource(doubles = {0, 1, -0.1, 1.5, Double.NaN})
    void aRatioOutsideZeroToOneIsRefused(double ratio) {
        assertSentence("A pruning ratio must lie strictly between 0 and 1, got " + ratio + ".",
                () -> new StructuredCut.FfnUnits(ratio));
        assertSentence("A pruning ratio must lie strictly between 0 and 1, got " + ratio + ".",
                () -> new StructuredCut.KvGroups(ratio));
    }

    @Test
    void aRatioThatLeavesNothingOrRemovesNothingIsRefused() throws Exception {
        try (Model source = ModelOpener.open(stories())) {
            assertSentence("Removing 99.9 % of 172 FFN units leaves none; choose a smaller ratio.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.FfnUnits(0.999)), Importance.WEIGHT_ONLY));
            assertSentence("Removing 90 % of 4 KV groups leaves none; choose a smaller ratio.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.KvGroups(0.9)), Importance.WEIGHT_ONLY));
            assertSentence("Removing 10 % of 4 KV groups rounds to none; choose a ratio of at least 12.5 %.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.KvGroups(0.1)), Importance.WEIGHT_ONLY));
            assertSentence("A width of 172 FFN units has no smaller multiple of 256; choose a smaller alignment.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.FfnUnits(0.5, 256)), Importance.WEIGHT_ONLY));
        }
    }

    @Test
    void asManyBlocksAsTheModelHasCannotGo() throws Exception {
        try (Model source = ModelOpener.open(stories())) {
            Importance cal = new Importance.Calibrated(PrunedLlamas.calibrate(source));
            assertSentence("Dropping 5 of 5 blocks leaves none; at most 4 can go.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.Blocks(5)), cal));
            assertSentence("Dropping 7 of 5 blocks leaves none; at most 4 can go.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.Blocks(7)), cal));
            assertSentence("Ranking blocks by Block Influence needs a calibration text.",
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.Blocks(1)), Importance.WEIGHT_ONLY));
            assertSentence("At least one block must be dropped, got 0.", () -> new StructuredCut.Blocks(0));
        }
    }

    @Test
    void quantizedColumnsAreRefusedButQuantizedRowsAreNot() throws Exception {
        try (Model source = ModelOpener.open(stories());
             Model q4 = dev.quantscope.engine.llama.InMemoryModels.quantized(source, dev.quantscope.quant.preset.Preset.Q4_K_M)) {
            String type = q4.tensor("blk.0.attn_output.weight").orElseThrow().dtype().toString();
            assertSentence("blk.0.attn_output.weight is " + type + ": taking columns out of it to remove heads needs "
                            + "F32, F16 or BF16 weights, so prune before quantizing.",
                    () -> StructuredPruner.prune(q4, List.of(new StructuredCut.KvGroups(0.5)), Importance.WEIGHT_ONLY));
        }
    }

    @Test
    void aModelThatIsNotAGgufLlamaIsRefused() throws Exception {
        try (Model mlp = ModelOpener.open(dev.quantscope.testing.SharedFiles.file("models/ggml-mnist-mlp.state_dict"))) {
            assertSentence("Structured pruning of a Llama needs a GGUF model.",
                    () -> StructuredPruner.prune(mlp, List.of(new StructuredCut.FfnUnits(0.5)), Importance.WEIGHT_ONLY));
        }
    }

    private static void assertSentence(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertTrue(e.getMessage().endsWith("."), e.getMessage());
    }
}
