package dev.quantscope.pipeline.prune;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.InMemoryQuantizer;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.export.StampMode;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeJson;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A recipe that prunes and quantizes, through the one plan and the one converter, to a file and into memory. */
class PlanPruningTest {

    private static final String RECIPE = """
            {
              "format": "quantscope.recipe/1",
              "default": "keep",
              "rules": [
                { "match": "blk.*.ffn_*", "sparsity": { "method": "wanda", "pattern": "2:4" }, "type": "Q4_K" }
              ]
            }
            """;

    @TempDir
    Path dir;

    @Test
    void theIssuesRecipeReadsPlansAndRoundTrips() throws Exception {
        Recipe r = RecipeJson.parse(RECIPE, "test");
        assertEquals(r, RecipeJson.parse(RecipeJson.write(r), "written"));
        try (Model m = ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            ModelPlan plan = Plans.resolve(r, m);
            TensorPlan up = plan.tensor("blk.0.ffn_up.weight").orElseThrow();
            assertEquals(PruneMethod.WANDA, up.pruning().orElseThrow().method());
            assertEquals(new SparsityPattern.NOfM(2, 4), up.pruning().orElseThrow().pattern());
            assertEquals("wanda 2:4 + Q4_K", up.schemeLabel());
            assertTrue(plan.tensor("blk.0.attn_q.weight").orElseThrow().pruning().isEmpty());
            assertTrue(plan.tensor("blk.0.ffn_norm.weight").orElseThrow().pruning().isEmpty(), "norms are never pruned");
            // GGUF has no sparse layout: the plan's size is the quantized dense size
            assertEquals(DType.Q4_K.byteSize(up.elements()), up.size().bytes());
        }
    }

    @Test
    void prunedThenQuantizedToAFileAndInMemoryGiveTheSameBytes() throws Exception {
        Recipe r = RecipeJson.parse(RECIPE, "test");
        String text = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt")).substring(0, 12_000);
        PruneCalibration cal = PruneCalibration.ofText(text).withWindow(96, 768);
        Path out = dir.resolve("p.gguf");
        try (Model m = ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            ExportOptions options = ExportOptions.forTarget(out).withThreads(2).withStamp(StampMode.OFF)
                    .withCalibration(cal);
            ExportResult result = ModelExport.export(m, r, out, options, ProgressMonitor.NONE);
            assertFalse(result.pruned().isEmpty());
            for (PrunedTensor t : result.pruned()) {
                assertTrue(t.name().contains("ffn_"), t.name());
                assertEquals(0.5, t.sparsity(), 1e-9, t.name());
                // Q4_K stores scale·code − min: a pruned zero survives only where it rounds back to exactly 0
                assertTrue(t.storedZeros().isPresent(), t.name());
                assertTrue(t.storedZeros().getAsLong() < t.zeros(), t.name() + " kept every zero through Q4_K?");
            }
            ModelPlan plan = Plans.resolve(r, m);
            try (Model file = ModelOpener.open(out);
                 Model memory = InMemoryQuantizer.quantize(m, plan, null, cal, 2, ProgressMonitor.NONE)) {
                for (TensorInfo t : file.tensors()) {
                    TensorInfo inMemory = memory.tensor(t.name()).orElseThrow();
                    assertEquals(t.dtype(), inMemory.dtype(), t.name());
                    assertEquals(-1, t.data().mismatch(inMemory.data()), t.name() + ": the sweep's bytes are the file's");
                }
                assertEquals(DType.Q4_K, file.tensor("blk.1.ffn_down.weight").orElseThrow().dtype());
                assertEquals(DType.F16, file.tensor("blk.1.attn_q.weight").orElseThrow().dtype());
            }
        }
    }

    @Test
    void aQuantizedSourceCannotBePrunedAndThePlanSaysWhy() throws Exception {
        Path q8 = dir.resolve("q8.gguf");
        try (Model m = ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            ModelExport.export(m, Recipe.of(new dev.quantscope.quant.scheme.GgmlBlock(DType.Q8_0)), q8,
                    ExportOptions.forTarget(q8).withStamp(StampMode.OFF), ProgressMonitor.NONE);
        }
        try (Model m = ModelOpener.open(q8)) {
            ModelPlan plan = Plans.resolve(RecipeJson.parse(RECIPE, "test"), m);
            String problem = plan.tensor("blk.0.ffn_up.weight").orElseThrow().problem().orElseThrow();
            assertTrue(problem.contains("stored as Q8_0"), problem);
            assertThrows(IllegalArgumentException.class, () -> PlanPruning.prune(m, plan, PruneCalibration.NONE, 1,
                    ProgressMonitor.NONE));
        }
    }

    /**
     * A classifier's output layer stays dense, as a Llama's head does, whatever it is called: fc2 in ggml's MNIST MLP
     * (whose architecture is inferred), out in the bundled CNN (whose architecture is in the file).
     */
    @Test
    void aClassifiersOutputLayerIsNeverPruned() throws Exception {
        Recipe everything = RecipeJson.parse("""
                {
                  "format": "quantscope.recipe/1",
                  "default": "keep",
                  "rules": [ { "match": "*", "sparsity": { "method": "magnitude", "pattern": "50%" } } ]
                }
                """, "test");
        try (Model m = ModelOpener.open(SharedFiles.file("models/ggml-mnist-mlp.state_dict"))) {
            ModelPlan plan = Plans.resolve(everything, m);
            assertTrue(plan.tensor("fc1.weight").orElseThrow().pruning().isPresent());
            assertTrue(plan.tensor("fc2.weight").orElseThrow().pruning().isEmpty(), "the output layer stays dense");
            assertEquals(java.util.List.of("fc1.weight"), Plans.prunableTensors(m).stream().map(TensorInfo::name).toList());
        }
        try (Model m = ModelOpener.open(Path.of("assets/models/fashion-cnn.safetensors"))) {
            assertEquals(java.util.List.of("conv1.weight", "conv2.weight", "fc1.weight"),
                    Plans.prunableTensors(m).stream().map(TensorInfo::name).toList());
            assertTrue(Plans.resolve(everything, m).tensor("out.weight").orElseThrow().pruning().isEmpty());
        }
        try (Model m = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            assertTrue(Plans.prunableTensors(m).stream().noneMatch(t -> t.name().equals("output.weight")
                    || t.name().equals("token_embd.weight")), "a Llama keeps its head and embeddings dense");
            assertEquals(35, Plans.prunableTensors(m).size(), "seven matrices in each of five blocks");
        }
    }
}
