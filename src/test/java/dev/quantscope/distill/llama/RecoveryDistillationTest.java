package dev.quantscope.distill.llama;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.eval.KlDivergence;
import dev.quantscope.eval.KlDivergenceResult;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.pipeline.prune.PlanPruning;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.pipeline.prune.PrunedBase;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.LlamaCpp;
import dev.quantscope.testing.SharedFiles;
import dev.quantscope.train.optim.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short recovery of stories260K pruned 2:4 by magnitude (in process, through the plan's pruning): the held-out KLD
 * against the dense model drops, every zero of the pruned model is zero in the written file, llama.cpp loads and
 * runs that file, and a seeded run repeats bit for bit.
 */
class RecoveryDistillationTest {
    private static final int CTX = 64;

    @TempDir
    Path dir;

    @Test
    void shortRecoveryLowersHeldOutKldAndKeepsTheZeros() throws Exception {
        Path densePath = SharedFiles.file("models/stories260K.gguf");
        String text = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt"), StandardCharsets.UTF_8);
        try (Model dense = ModelOpener.open(densePath); PrunedBase pruned = prune24(dense)) {
            RecoveryText split = RecoveryText.of(dense, text.substring(0, 12_000), text.substring(600_000, 608_000));
            KlDivergence.Reference reference;
            try (LlamaEngine engine = new LlamaEngine(dense, CTX, 2)) {
                reference = KlDivergence.reference(engine, split.heldOut(), CTX, split.bos(), ProgressMonitor.NONE);
            }
            KlDivergenceResult before = kld(reference, pruned.model());
            RecoverySettings settings = RecoverySettings.of(12, CTX).withLearningRate(3e-3);
            Recovery r = RecoveryDistillation.run(dense, pruned.model(), split.train(), split.bos(), settings, 2,
                    ProgressMonitor.NONE);
            assertTrue(r.maskedZeros() > 100_000, "the 2:4 zeros are masked: " + r.maskedZeros());
            assertTrue(r.meanLoss(false, 3) < r.meanLoss(true, 3), "the training loss falls");

            Path out = dir.resolve("recovered.gguf");
            RecoveredModel.write(pruned.model(), r.student().all(), out, 2, ProgressMonitor.NONE);
            try (Model recovered = ModelOpener.open(out)) {
                KlDivergenceResult after = kld(reference, recovered);
                assertTrue(after.kldMean() < 0.8 * before.kldMean(),
                        "held-out KLD " + before.kldMean() + " -> " + after.kldMean());
                long zeros = 0;
                for (TensorInfo t : pruned.model().tensors()) {
                    if (!t.name().startsWith("blk.") || t.shape().rows() < 2) continue;
                    float[] p = Decoders.decodeAll(t);
                    TensorInfo written = recovered.tensor(t.name()).orElseThrow();
                    assertEquals(t.dtype(), written.dtype(), t.name());
                    float[] w = Decoders.decodeAll(written);
                    boolean changed = false;
                    for (int i = 0; i < p.length; i++) {
                        if (p[i] == 0f) {
                            assertEquals(0f, w[i], t.name() + "[" + i + "] was pruned");
                            zeros++;
                        } else if (p[i] != w[i]) {
                            changed = true;
                        }
                    }
                    assertTrue(changed, t.name() + " was trained");
                }
                assertEquals(r.maskedZeros(), zeros);
                assertEquals(dense.metadata().get("tokenizer.ggml.tokens"), recovered.metadata().get("tokenizer.ggml.tokens"));
            }
            assertFalse(LlamaCpp.complete(out).isBlank());
        }
    }

    @Test
    void aSeededRunRepeatsBitForBit() throws Exception {
        try (Model dense = ModelOpener.open(SharedFiles.file("models/stories260K.gguf")); PrunedBase pruned = prune24(dense)) {
            String text = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt"), StandardCharsets.UTF_8);
            RecoveryText split = RecoveryText.split(dense, text.substring(0, 4_000), 0.25);
            RecoverySettings settings = RecoverySettings.of(3, 32).withBatch(2);
            Recovery a = RecoveryDistillation.run(dense, pruned.model(), split.train(), split.bos(), settings, 2, ProgressMonitor.NONE);
            Recovery b = RecoveryDistillation.run(dense, pruned.model(), split.train(), split.bos(), settings, 1, ProgressMonitor.NONE);
            assertArrayEquals(a.losses(), b.losses());
            List<Parameter> pa = a.student().all(), pb = b.student().all();
            for (int i = 0; i < pa.size(); i++) assertArrayEquals(pa.get(i).values(), pb.get(i).values(), pa.get(i).name());
        }
    }

    @Test
    void cancellingStopsTheTrainingBetweenSteps() throws Exception {
        try (Model dense = ModelOpener.open(SharedFiles.file("models/stories260K.gguf")); PrunedBase pruned = prune24(dense)) {
            String text = Files.readString(SharedFiles.file("data/text/tinyshakespeare.txt"), StandardCharsets.UTF_8);
            RecoveryText split = RecoveryText.split(dense, text.substring(0, 4_000), 0.25);
            int windows = split.train().length / 32;
            java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong();
            ProgressMonitor cancelAfterTwoSteps = new ProgressMonitor() {
                @Override public void progress(long done, long total) { last.set(done); }
                @Override public boolean isCancelled() { return last.get() >= windows + 2; }
            };
            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CancellationException.class,
                    () -> RecoveryDistillation.run(dense, pruned.model(), split.train(), split.bos(),
                            RecoverySettings.of(50, 32).withBatch(1), 2, cancelAfterTwoSteps));
            assertEquals(windows + 2, last.get(), "the teacher's windows and two steps ran, then nothing");
        }
    }

    private static KlDivergenceResult kld(KlDivergence.Reference reference, Model model) {
        try (LlamaEngine engine = new LlamaEngine(model, CTX, 2)) {
            return KlDivergence.compute(reference, engine, ProgressMonitor.NONE);
        }
    }

    /** stories260K with every block matrix pruned 2:4 by magnitude, in memory. */
    static PrunedBase prune24(Model dense) throws Exception {
        SparsityRule rule = new SparsityRule(PruneMethod.MAGNITUDE, SparsityPattern.parse("2:4"), false);
        Recipe recipe = new Recipe("2:4", new RecipeBase.DefaultScheme(Keep.INSTANCE), List.of(Rule.pruning("*", rule)));
        ModelPlan plan = Plans.resolve(recipe, dense, false);
        return PlanPruning.prune(dense, plan, PruneCalibration.NONE, 2, ProgressMonitor.NONE);
    }
}
