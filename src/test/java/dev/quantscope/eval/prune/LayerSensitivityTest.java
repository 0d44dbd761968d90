package dev.quantscope.eval.prune;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** stories260K (5 blocks of 7 matrices) pruned one unit at a time, measured on 4 windows of 128 tokens. */
class LayerSensitivityTest {
    private static Model model;
    private static String text;

    @BeforeAll
    static void open() throws Exception {
        model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        text = new String(Arrays.copyOf(all, 8_000), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SensitivityRequest request(String pattern, SensitivityUnit unit) {
        return new SensitivityRequest(new SparsityRule(PruneMethod.MAGNITUDE, SparsityPattern.parse(pattern)), unit,
                text, 128, 4, PruneCalibration.NONE, 2);
    }

    @Test
    void everyBlockIsPrunedAloneAndCostsSomething() throws Exception {
        List<SensitivityPoint> seen = new ArrayList<>();
        SensitivityResult r = LayerSensitivity.run(model, request("50%", SensitivityUnit.BLOCK), seen::add,
                ProgressMonitor.NONE);
        assertEquals(r.points(), seen);
        assertEquals(List.of("blk.0", "blk.1", "blk.2", "blk.3", "blk.4"),
                r.points().stream().map(SensitivityPoint::name).toList());
        for (SensitivityPoint p : r.points()) {
            SensitivityPoint.Measured m = assertInstanceOf(SensitivityPoint.Measured.class, p);
            assertEquals(7, m.tensors().size(), m.tensors().toString());
            assertTrue(m.tensors().stream().allMatch(t -> t.startsWith(m.name() + ".")), m.tensors().toString());
            assertTrue(m.accuracy().kldMean() > 0, m.name() + " " + m.accuracy());
            // One block pruned moves the model less than all five would (magnitude 50 % everywhere: ~2 nats).
            assertTrue(m.accuracy().kldMean() < 2, m.name() + " " + m.accuracy());
        }
        SensitivityPoint.Measured worst = r.mostSensitive(1).getFirst();
        assertTrue(r.measured().stream().allMatch(m -> m.accuracy().kldMean() <= worst.accuracy().kldMean()));
    }

    @Test
    void tensorsAreTheMatricesAndUnfittingPatternsAreSkippedWithTheReason() throws Exception {
        // Rows of 172 (ffn_down) do not split into groups of 8: five tensors say so, the other 30 are measured.
        SensitivityResult r = LayerSensitivity.run(model, request("3:8", SensitivityUnit.TENSOR), _ -> {},
                ProgressMonitor.NONE);
        assertEquals(35, r.points().size());
        List<SensitivityPoint.Skipped> skipped = r.points().stream().filter(p -> p instanceof SensitivityPoint.Skipped)
                .map(p -> (SensitivityPoint.Skipped) p).toList();
        assertEquals(5, skipped.size());
        for (SensitivityPoint.Skipped s : skipped) {
            assertTrue(s.name().endsWith("ffn_down.weight"), s.name());
            assertTrue(s.reason().contains("172"), s.reason());
        }
        assertEquals(30, r.measured().size());
        assertTrue(r.points().stream().noneMatch(p -> p.name().startsWith("token_embd") || p.name().contains("norm")));
    }

    @Test
    void cancelStopsBetweenUnits() {
        AtomicBoolean cancel = new AtomicBoolean();
        List<SensitivityPoint> seen = new ArrayList<>();
        ProgressMonitor monitor = new ProgressMonitor() {
            @Override public void progress(long done, long total) {}
            @Override public boolean isCancelled() { return cancel.get(); }
        };
        assertThrows(CancellationException.class, () -> LayerSensitivity.run(model,
                request("50%", SensitivityUnit.BLOCK), p -> {
                    seen.add(p);
                    cancel.set(true);
                }, monitor));
        assertEquals(1, seen.size());
    }

    @Test
    void aCalibratedMethodWithoutATextSaysWhatToGive() {
        SensitivityRequest r = new SensitivityRequest(new SparsityRule(PruneMethod.SPARSEGPT,
                SparsityPattern.parse("50%")), SensitivityUnit.TENSOR, text, 128, 4, PruneCalibration.NONE, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerSensitivity.run(model, r, _ -> {}, ProgressMonitor.NONE));
        assertTrue(e.getMessage().contains("calibration text"), e.getMessage());
    }
}
