package dev.quantscope.app.distill;

import dev.quantscope.distill.StudentRun;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.TrainingResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live curves' points as a run reports them, without the FX thread. */
class DistillCurvesTest {

    @Test
    void batchLossesAreAveragedIntoAFewPointsPerEpochEndingOnEachEpochsEnd() {
        DistillCurves curves = new DistillCurves();
        int epochs = 2;
        long total = 2 * 100;   // 100 batches an epoch: a point every 5
        for (long step = 0; step < total; step++) curves.addBatch(StudentRun.DISTILLED, step, total, epochs, step < 5 ? 2.0 : 1.0);
        List<DistillCurves.Point> loss = curves.batchLoss(StudentRun.DISTILLED);
        assertEquals(2 * DistillCurves.LOSS_POINTS_PER_EPOCH, loss.size());
        assertEquals(new DistillCurves.Point(0.05, 2.0), loss.getFirst(), "the mean of the first five batches");
        assertEquals(1.0, loss.get(1).value());
        assertEquals(1.0, loss.get(DistillCurves.LOSS_POINTS_PER_EPOCH - 1).epoch(), 1e-12, "a point at the first epoch's end");
        assertEquals(2.0, loss.getLast().epoch(), 1e-12);
        assertTrue(curves.batchLoss(StudentRun.LABELS_ONLY).isEmpty(), "each student has its own curve");
    }

    @Test
    void aShortEpochGetsAPointPerBatchAndAnUnevenOneEndsOnItsLastBatch() {
        DistillCurves curves = new DistillCurves();
        for (long step = 0; step < 6; step++) curves.addBatch(StudentRun.LABELS_ONLY, step, 6, 2, 1 + step);
        assertEquals(6, curves.batchLoss(StudentRun.LABELS_ONLY).size());
        assertEquals(1.0, curves.batchLoss(StudentRun.LABELS_ONLY).get(2).epoch(), 1e-12);
        curves.addBatch(StudentRun.DISTILLED, 0, 3, 1, Double.NaN);
        assertFalse(curves.has(StudentRun.DISTILLED), "a loss that is not a number is no point");
    }

    @Test
    void epochsGiveAccuracyPointsAndTheEndMarksTheKeptEpoch() {
        DistillCurves curves = new DistillCurves();
        // Reports numbered from 0: the points still sit at the ends of epochs 1, 2 and 3.
        List<EpochReport> reports = List.of(report(0, 0.70, 0.72), report(1, 0.80, 0.81), report(2, 0.85, 0.79));
        reports.forEach(r -> curves.addEpoch(StudentRun.DISTILLED, r));
        assertEquals(List.of(new DistillCurves.Point(1, 0.72), new DistillCurves.Point(2, 0.81), new DistillCurves.Point(3, 0.79)),
                curves.validationAccuracy(StudentRun.DISTILLED));
        assertEquals(3, curves.trainAccuracy(StudentRun.DISTILLED).size());
        assertEquals(3, curves.validationLoss(StudentRun.DISTILLED).size());
        assertEquals(2, curves.bestEpoch(StudentRun.DISTILLED).orElseThrow());
        curves.finish(StudentRun.DISTILLED, new TrainingResult(reports, 1, true, false, Duration.ofSeconds(3)));
        assertEquals(new DistillCurves.Ending(2, true, false), curves.ending(StudentRun.DISTILLED).orElseThrow());
        curves.setTeacherAccuracy(OptionalDouble.of(0.9));
        curves.clear();
        assertFalse(curves.has(StudentRun.DISTILLED));
        assertTrue(curves.teacherAccuracy().isEmpty() && curves.ending(StudentRun.DISTILLED).isEmpty());
    }

    private static EpochReport report(int epoch, double train, double validation) {
        return new EpochReport(epoch, 1 - train, train, OptionalDouble.of(validation), OptionalDouble.of(1 - validation),
                1e-3, Duration.ofSeconds(epoch + 1));
    }
}
