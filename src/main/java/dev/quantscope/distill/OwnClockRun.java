package dev.quantscope.distill;

import dev.quantscope.train.EpochReport;
import dev.quantscope.train.TrainingListener;
import dev.quantscope.train.TrainingResult;
import dev.quantscope.train.TrainingRun;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One student's training run with its own clock. A run's reports count the time since it began, and when two runs
 * take turns epoch by epoch that includes the other student's epochs: each student would seem to take the time of
 * both. This adds up only the time spent in the student's own epochs and reports that instead, to the listener and in
 * the result.
 */
final class OwnClockRun {
    private final TrainingRun run;
    private final StudentRun student;
    private final DistillationListener listener;
    private final List<EpochReport> reports = new ArrayList<>();
    private long ownNanos;
    private long epochStart;

    OwnClockRun(TrainingRun run, StudentRun student, DistillationListener listener) {
        this.run = run;
        this.student = student;
        this.listener = listener;
    }

    boolean done() {
        return run.done();
    }

    void nextEpoch(BooleanSupplier cancelled) {
        epochStart = System.nanoTime();
        run.nextEpoch(new TrainingListener() {
            @Override
            public void onBatch(long step, long totalSteps, double loss) {
                listener.onBatch(student, step, totalSteps, loss);
            }

            @Override
            public void onEpoch(EpochReport r) {
                EpochReport own = new EpochReport(r.epoch(), r.trainLoss(), r.trainAccuracy(), r.validationAccuracy(),
                        r.validationLoss(), r.learningRate(), Duration.ofNanos(ownNanos + System.nanoTime() - epochStart));
                reports.add(own);
                listener.onEpoch(student, own);
            }
        }, cancelled);
        ownNanos += System.nanoTime() - epochStart;
    }

    TrainingResult finish() {
        TrainingResult r = run.finish();
        // the run's own reports, with their times on this student's clock (a cancelled epoch may not have reported)
        List<EpochReport> epochs = r.epochs().size() == reports.size() ? List.copyOf(reports) : r.epochs();
        return new TrainingResult(epochs, r.keptEpoch(), r.stoppedEarly(), r.cancelled(), Duration.ofNanos(ownNanos));
    }
}
