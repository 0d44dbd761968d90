package dev.quantscope.eval.prune;

import dev.quantscope.eval.sweep.Sweep;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepListener;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepRequest;
import dev.quantscope.eval.sweep.SweepResult;
import dev.quantscope.eval.sweep.SweepScheme;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sparsity sweeps of stories260K: measured on the first 8,000 bytes of tinyshakespeare at ctx 128, Wanda calibrated
 * on 1,024 tokens from the text's end (another part than the one measured).
 */
class SparsitySweepTest {
    private static Model model;
    private static String measured, calibration;

    @BeforeAll
    static void open() throws Exception {
        model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        measured = new String(Arrays.copyOf(all, 8_000), StandardCharsets.UTF_8);
        calibration = new String(Arrays.copyOfRange(all, all.length - 20_000, all.length), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SweepRequest request(List<SweepScheme> schemes, String calibrationText) {
        return SweepRequest.of(schemes, measured, 128).withThreads(2).withLatencyRun(16, 4)
                .withCalibration(PruneCalibration.ofText(calibrationText).withWindow(256, 1024));
    }

    @Test
    void schemesPairEverySparsityWithEveryMethodAloneAndQuantized() {
        List<SweepScheme> schemes = SparsitySweep.schemes(List.of(SweepScheme.parse("Q8_0")),
                SparsitySweep.parsePatterns(List.of("0", "50%", "2:4")),
                SparsitySweep.parseMethods(List.of("magnitude", "wanda", "magnitude")));
        assertEquals(List.of("Q8_0",
                        "prune:magnitude:50%", "prune:magnitude:50%+Q8_0", "prune:wanda:50%", "prune:wanda:50%+Q8_0",
                        "prune:magnitude:2:4", "prune:magnitude:2:4+Q8_0", "prune:wanda:2:4", "prune:wanda:2:4+Q8_0"),
                schemes.stream().map(SweepScheme::id).toList());
        assertEquals("wanda 2:4 + Q8_0", schemes.getLast().label());
        // Without quantizations, sparsity 0 is the dense model once, not once per method.
        List<SweepScheme> pruned = SparsitySweep.schemes(List.of(), SparsitySweep.tenPercentSteps(),
                List.of(PruneMethod.MAGNITUDE, PruneMethod.SPARSEGPT));
        assertEquals(1 + 9 * 2, pruned.size());
        assertEquals(SparsitySweep.DENSE, pruned.getFirst());
        assertEquals("prune:sparsegpt:90%", pruned.getLast().id());
    }

    @Test
    void wandaBeatsMagnitudeAndCalibratedPointsAreCachedByTheirCalibration(@TempDir Path dir) throws Exception {
        SweepCache cache = new SweepCache(dir);
        List<SweepScheme> schemes = SparsitySweep.schemes(List.of(),
                List.of(new SparsityPattern.Unstructured(0), new SparsityPattern.Unstructured(0.5)),
                List.of(PruneMethod.MAGNITUDE, PruneMethod.WANDA));
        SweepResult r = Sweep.run(model, request(schemes, calibration), cache, SweepListener.NONE, ProgressMonitor.NONE);
        assertEquals(3, r.computed());
        SweepPoint.Measured dense = assertInstanceOf(SweepPoint.Measured.class, r.points().get(0));
        SweepPoint.Measured magnitude = assertInstanceOf(SweepPoint.Measured.class, r.points().get(1));
        SweepPoint.Measured wanda = assertInstanceOf(SweepPoint.Measured.class, r.points().get(2));
        assertTrue(dense.accuracy().kldMean() < 1e-5, dense.accuracy().toString());
        assertTrue(magnitude.accuracy().kldMean() > 0.1, magnitude.accuracy().toString());
        assertTrue(wanda.accuracy().kldMean() < magnitude.accuracy().kldMean(),
                "wanda " + wanda.accuracy() + " vs magnitude " + magnitude.accuracy());
        assertTrue(wanda.accuracy().ppl() < magnitude.accuracy().ppl());
        // Pruned zeros are stored as zeros: without a sparse layout the size stays the dense model's.
        assertEquals(dense.bytes(), magnitude.bytes());

        List<SparsityCurve> curves = SparsityCurve.of(schemes, r.points());
        assertEquals(List.of("magnitude", "wanda"), curves.stream().map(SparsityCurve::label).toList());
        for (SparsityCurve c : curves) {
            assertEquals(List.of(0.0, 0.5), c.line().stream().map(p -> p.pattern().sparsity()).toList());
            assertEquals(dense, c.line().getFirst().measured());
        }

        // Again with another calibration text: magnitude's point does not depend on it and comes from the cache,
        // Wanda's does and is measured again.
        SweepResult other = Sweep.run(model, request(schemes, calibration.substring(0, calibration.length() / 2)),
                cache, SweepListener.NONE, ProgressMonitor.NONE);
        assertTrue(((SweepPoint.Measured) other.points().get(1)).fromCache());
        assertFalse(((SweepPoint.Measured) other.points().get(2)).fromCache());
        assertEquals(1, other.computed());
        // And with the first text once more, every point is the cache's.
        SweepResult same = Sweep.run(model, request(schemes, calibration), cache, SweepListener.NONE, ProgressMonitor.NONE);
        assertEquals(0, same.computed());
        assertEquals(wanda.accuracy(), ((SweepPoint.Measured) same.points().get(2)).accuracy());
    }

    @Test
    void prunedThenQuantizedIsSmallerAndFartherThanPrunedAlone() throws Exception {
        List<SweepScheme> schemes = SparsitySweep.schemes(List.of(SweepScheme.parse("Q6_K")),
                List.of(SparsityPattern.parse("2:4")), List.of(PruneMethod.MAGNITUDE));
        SweepResult r = Sweep.run(model, request(schemes, calibration), SweepCache.disabled(), SweepListener.NONE,
                ProgressMonitor.NONE);
        SweepPoint.Measured q6 = assertInstanceOf(SweepPoint.Measured.class, r.points().get(0));
        SweepPoint.Measured pruned = assertInstanceOf(SweepPoint.Measured.class, r.points().get(1));
        SweepPoint.Measured both = assertInstanceOf(SweepPoint.Measured.class, r.points().get(2));
        assertEquals(q6.bytes(), both.bytes());
        assertTrue(both.bytes() < pruned.bytes());
        assertTrue(both.accuracy().kldMean() > q6.accuracy().kldMean());
        assertTrue(both.accuracy().kldMean() > pruned.accuracy().kldMean() * 0.9,
                "pruned " + pruned.accuracy() + " then Q6_K " + both.accuracy());
        List<SparsityCurve> curves = SparsityCurve.of(schemes, r.points());
        // Magnitude pruned alone, and magnitude then Q6_K (which starts at the Q6_K point).
        assertEquals(List.of("magnitude", "magnitude + Q6_K"), curves.stream().map(SparsityCurve::label).toList());
        assertEquals(List.of(q6), curves.get(1).line().stream().map(SparsityCurve.Point::measured).toList());
        assertEquals(List.of(both), curves.get(1).nOfM().stream().map(SparsityCurve.Point::measured).toList());
    }

    @Test
    void aCalibratedMethodWithoutCalibrationIsSkippedWithTheReason() throws Exception {
        List<SweepScheme> schemes = SparsitySweep.schemes(List.of(), List.of(SparsityPattern.parse("50%")),
                List.of(PruneMethod.SPARSEGPT));
        SweepRequest noCalibration = SweepRequest.of(schemes, measured, 128).withThreads(2).withLatencyRun(16, 4);
        SweepResult r = Sweep.run(model, noCalibration, SweepCache.disabled(), SweepListener.NONE, ProgressMonitor.NONE);
        SweepPoint.Skipped s = assertInstanceOf(SweepPoint.Skipped.class, r.points().getFirst());
        assertTrue(s.reason().contains("calibration text"), s.reason());
        assertEquals(0, r.computed());
    }

    @Test
    void halvesCutAtALineBreak() {
        CalibrationSplit split = CalibrationSplit.halves("one\ntwo\nthree\nfour\n");
        assertEquals("one\ntwo\nthree\n", split.measured());
        assertEquals("four\n", split.calibration().text().orElseThrow());
    }
}
