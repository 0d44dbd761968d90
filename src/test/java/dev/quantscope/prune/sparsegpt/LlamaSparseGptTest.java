package dev.quantscope.prune.sparsegpt;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.calibration.BlockMatrix;
import dev.quantscope.prune.calibration.CalibrationChunks;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layer-by-layer SparseGPT on stories260K (F32, 5 blocks) with 384 tokens of tinyshakespeare as calibration text,
 * checked on the weights and by running the pruned model on a held-out slice of the same text.
 */
class LlamaSparseGptTest {
    private static final int CTX = 128;
    private static Model dense;
    private static CalibrationChunks calibration;
    private static int[] heldOut;
    private static Map<String, float[]> denseWeights;

    @BeforeAll
    static void open() throws Exception {
        dense = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        Tokenizer tok = Tokenizers.forModel(dense);
        int[] tokens = tok.encode(new String(Arrays.copyOf(all, 20_000), StandardCharsets.UTF_8), true);
        calibration = CalibrationChunks.of(tokens, CTX, 384, tok.bos());
        heldOut = Arrays.copyOfRange(tokens, 2_000, 2_256);
        heldOut[0] = tok.bos();
        denseWeights = new HashMap<>();
        for (TensorInfo t : dense.tensors()) denseWeights.put(t.name(), Decoders.decodeAll(t));
    }

    @AfterAll
    static void close() {
        dense.close();
    }

    @Test
    void halfOfEveryBlockMatrixGoesAndTheRestCompensates() {
        RecordingMonitor monitor = new RecordingMonitor();
        try (PrunedModel pruned = LlamaSparseGpt.of(new SparsityPattern.Unstructured(0.5), 2)
                .layerByLayer(dense, calibration, monitor)) {
            assertEquals(35, pruned.tensors().size());
            for (TensorSparsity s : pruned.tensors()) {
                assertEquals(Math.round(s.parameters() * 0.5), s.zeros(), s.name());
                float[] before = denseWeights.get(s.name());
                float[] after = Decoders.decodeAll(pruned.model().tensor(s.name()).orElseThrow());
                int moved = 0;
                for (int i = 0; i < after.length; i++) if (after[i] != 0 && after[i] != before[i]) moved++;
                assertTrue(moved > after.length / 4, s.name() + ": kept weights were updated, " + moved + " moved");
            }
            assertOnlyBlockMatricesChanged(pruned);
            assertEquals(List.of(5L * 3, 5L * 3), monitor.last(), "one unit per block and calibration window");
            report("50 % layer by layer", pruned.model());
        }
        assertDenseModelUntouched();
    }

    @Test
    void twoOfEveryFourStayInEveryRowGroup() {
        try (PrunedModel pruned = LlamaSparseGpt.of(new SparsityPattern.NOfM(2, 4), 2)
                .layerByLayer(dense, calibration, ProgressMonitor.NONE)) {
            for (TensorSparsity s : pruned.tensors()) {
                float[] after = Decoders.decodeAll(pruned.model().tensor(s.name()).orElseThrow());
                for (int g = 0; g < after.length; g += 4) {
                    int nonZero = 0;
                    for (int k = g; k < g + 4; k++) if (after[k] != 0) nonZero++;
                    assertEquals(2, nonZero, s.name() + " group at " + g);
                }
            }
            assertOnlyBlockMatricesChanged(pruned);
            report("2:4 layer by layer", pruned.model());
        }
    }

    @Test
    void oneShotPrunesTheSameTensorsFromTheDenseActivations() {
        try (PrunedModel pruned = LlamaSparseGpt.of(new SparsityPattern.Unstructured(0.5), 2)
                .oneShot(dense, calibration, ProgressMonitor.NONE)) {
            for (TensorSparsity s : pruned.tensors()) assertEquals(Math.round(s.parameters() * 0.5), s.zeros(), s.name());
            assertOnlyBlockMatricesChanged(pruned);
            report("50 % one shot", pruned.model());
        }
    }

    @Test
    void prunesOnlyTheChosenMatrices() {
        LlamaSparseGpt onlyFfn = new LlamaSparseGpt(new SparsityPattern.NOfM(2, 4),
                name -> name.contains("ffn_"), SparseGpt.withThreads(1), 1);
        try (PrunedModel pruned = onlyFfn.layerByLayer(dense, calibration, ProgressMonitor.NONE)) {
            assertEquals(15, pruned.tensors().size());
            for (TensorInfo t : pruned.model().tensors()) {
                boolean changed = !Arrays.equals(denseWeights.get(t.name()), Decoders.decodeAll(t));
                assertEquals(t.name().contains("ffn_") && BlockMatrix.isBlockMatrix(t.name()), changed, t.name());
            }
        }
    }

    @Test
    void stopsWhenCancelled() {
        ProgressMonitor cancelAfterFirstWindow = new ProgressMonitor() {
            private volatile boolean cancelled;
            @Override public void progress(long done, long total) { cancelled = true; }
            @Override public boolean isCancelled() { return cancelled; }
        };
        assertThrows(CancellationException.class, () -> LlamaSparseGpt.of(new SparsityPattern.Unstructured(0.5), 1)
                .layerByLayer(dense, calibration, cancelAfterFirstWindow));
        assertDenseModelUntouched();
    }

    @Test
    void refusesAPatternTheRowsCannotTake() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> LlamaSparseGpt.of(new SparsityPattern.NOfM(2, 5), 1).layerByLayer(dense, calibration, ProgressMonitor.NONE));
        assertTrue(e.getMessage().contains("groups of 5"), e.getMessage());
    }

    private static void assertOnlyBlockMatricesChanged(PrunedModel pruned) {
        assertEquals(dense.tensors().size(), pruned.model().tensors().size());
        for (TensorInfo t : pruned.model().tensors()) {
            if (BlockMatrix.isBlockMatrix(t.name())) continue;
            assertTrue(Arrays.equals(denseWeights.get(t.name()), Decoders.decodeAll(t)), t.name() + " untouched");
        }
    }

    private static void assertDenseModelUntouched() {
        for (TensorInfo t : dense.tensors()) {
            assertTrue(Arrays.equals(denseWeights.get(t.name()), Decoders.decodeAll(t)), t.name());
        }
    }

    /**
     * Prints mean KL(dense ‖ pruned) and both perplexities on the held-out slice (for the report; the figures are not
     * asserted, the lead's evaluation measures them), and asserts only that the pruned model runs to finite logits.
     */
    private static void report(String what, Model pruned) {
        List<double[]> p = logProbabilities(dense), q = logProbabilities(pruned);
        double kl = 0, nllDense = 0, nllPruned = 0;
        for (int t = 0; t < p.size(); t++) {
            double[] a = p.get(t), b = q.get(t);
            for (int i = 0; i < a.length; i++) {
                assertFalse(Double.isNaN(b[i]) || Double.isInfinite(b[i]), what + ": logits finite");
                kl += Math.exp(a[i]) * (a[i] - b[i]);
            }
            if (t + 1 < heldOut.length) {
                nllDense -= a[heldOut[t + 1]];
                nllPruned -= b[heldOut[t + 1]];
            }
        }
        int predicted = heldOut.length - 1;
        System.out.printf("%s: mean KLD %.4f, PPL dense %.2f, pruned %.2f%n", what, kl / p.size(),
                Math.exp(nllDense / predicted), Math.exp(nllPruned / predicted));
    }

    private static List<double[]> logProbabilities(Model model) {
        List<double[]> out = new ArrayList<>();
        try (LlamaEngine engine = new LlamaEngine(model, heldOut.length, 2)) {
            engine.forwardBatch(heldOut, 0, heldOut.length, 0, 0, (i, logits) -> {
                double max = Double.NEGATIVE_INFINITY;
                for (float l : logits) max = Math.max(max, l);
                double sum = 0;
                for (float l : logits) sum += Math.exp(l - max);
                double log = max + Math.log(sum);
                double[] lp = new double[logits.length];
                for (int k = 0; k < lp.length; k++) lp[k] = logits[k] - log;
                out.add(lp);
            });
        }
        return out;
    }

    /** Remembers the last progress report. */
    private static final class RecordingMonitor implements ProgressMonitor {
        private final AtomicLong done = new AtomicLong(-1), total = new AtomicLong(-1);
        @Override public void progress(long d, long t) { done.set(d); total.set(t); }
        @Override public boolean isCancelled() { return false; }
        List<Long> last() { return List.of(done.get(), total.get()); }
    }
}
