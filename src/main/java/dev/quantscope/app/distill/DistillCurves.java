package dev.quantscope.app.distill;

import dev.quantscope.distill.StudentRun;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.TrainingResult;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The points of a distillation's live curves, per student, on an x axis of epochs (1 is the end of the first one):
 * the training loss as the batches go (each point the mean of a few batches, so a run of thousands of batches stays a
 * few hundred points), and per epoch the training and validation accuracy and the validation loss; then, once a run
 * has finished, the epoch it kept and whether it stopped early. No FX here: the page feeds it on the FX thread, the
 * tests feed it directly.
 */
public final class DistillCurves {
    /** Batch-loss points per epoch at most: enough for a curve that moves within an epoch, few enough to redraw. */
    static final int LOSS_POINTS_PER_EPOCH = 20;

    /** One point of a curve. */
    public record Point(double epoch, double value) {}

    /** The end of a run: the epoch whose weights the student holds (1 the first, 0 none), and why it ended. */
    public record Ending(int keptEpoch, boolean stoppedEarly, boolean cancelled) {}

    private final Map<StudentRun, Curves> runs = new EnumMap<>(StudentRun.class);
    private OptionalDouble teacherAccuracy = OptionalDouble.empty();

    /** One student's curves, and the batch losses not yet averaged into a point. */
    private static final class Curves {
        final List<Point> batchLoss = new ArrayList<>();
        final List<Point> trainAccuracy = new ArrayList<>();
        final List<Point> validationAccuracy = new ArrayList<>();
        final List<Point> validationLoss = new ArrayList<>();
        Optional<Ending> ending = Optional.empty();
        int epochs;
        double pendingSum;
        int pendingCount;
    }

    /** Forgets every point, for a new run. */
    public void clear() {
        runs.clear();
        teacherAccuracy = OptionalDouble.empty();
    }

    /**
     * A mini-batch's mean loss: step {@code step} (0-based) of {@code totalSteps} over {@code epochs} epochs. Batches
     * are averaged in groups, so a point is added every few batches and at each epoch's last batch.
     */
    public void addBatch(StudentRun run, long step, long totalSteps, int epochs, double loss) {
        if (!Double.isFinite(loss) || totalSteps < 1 || epochs < 1) return;
        Curves c = curves(run);
        c.pendingSum += loss;
        c.pendingCount++;
        double stepsPerEpoch = (double) totalSteps / epochs;
        long group = Math.max(1, Math.round(stepsPerEpoch / LOSS_POINTS_PER_EPOCH));
        boolean epochEnd = Math.floor((step + 1) / stepsPerEpoch) > Math.floor(step / stepsPerEpoch);
        if ((step + 1) % group == 0 || epochEnd || step + 1 == totalSteps) {
            c.batchLoss.add(new Point((step + 1) / stepsPerEpoch, c.pendingSum / c.pendingCount));
            c.pendingSum = 0;
            c.pendingCount = 0;
        }
    }

    /** An epoch's report; its point sits at the end of the epoch, whichever way the report numbers its epochs. */
    public void addEpoch(StudentRun run, EpochReport report) {
        Curves c = curves(run);
        double x = ++c.epochs;
        if (Double.isFinite(report.trainAccuracy())) c.trainAccuracy.add(new Point(x, report.trainAccuracy()));
        report.validationAccuracy().ifPresent(a -> c.validationAccuracy.add(new Point(x, a)));
        report.validationLoss().ifPresent(l -> { if (Double.isFinite(l)) c.validationLoss.add(new Point(x, l)); });
    }

    /** A finished run: its kept epoch placed on the x axis (the end of the epoch whose report carries that number). */
    public void finish(StudentRun run, TrainingResult result) {
        int kept = 0;
        for (int i = 0; i < result.epochs().size(); i++) {
            if (result.epochs().get(i).epoch() == result.keptEpoch()) kept = i + 1;
        }
        curves(run).ending = Optional.of(new Ending(kept, result.stoppedEarly(), result.cancelled()));
    }

    public void setTeacherAccuracy(OptionalDouble accuracy) {
        teacherAccuracy = accuracy;
    }

    public OptionalDouble teacherAccuracy() { return teacherAccuracy; }

    public List<Point> batchLoss(StudentRun run) { return List.copyOf(curves(run).batchLoss); }

    public List<Point> trainAccuracy(StudentRun run) { return List.copyOf(curves(run).trainAccuracy); }

    public List<Point> validationAccuracy(StudentRun run) { return List.copyOf(curves(run).validationAccuracy); }

    public List<Point> validationLoss(StudentRun run) { return List.copyOf(curves(run).validationLoss); }

    public Optional<Ending> ending(StudentRun run) { return curves(run).ending; }

    /** The epoch with the best validation accuracy so far (the first of equals, as keep-best keeps it), if any. */
    public OptionalInt bestEpoch(StudentRun run) {
        List<Point> v = curves(run).validationAccuracy;
        if (v.isEmpty()) return OptionalInt.empty();
        Point best = v.getFirst();
        for (Point p : v) if (p.value() > best.value()) best = p;
        return OptionalInt.of((int) best.epoch());
    }

    /** Whether a run has any point at all. */
    public boolean has(StudentRun run) {
        Curves c = runs.get(run);
        return c != null && (!c.batchLoss.isEmpty() || !c.trainAccuracy.isEmpty());
    }

    private Curves curves(StudentRun run) {
        return runs.computeIfAbsent(run, _ -> new Curves());
    }
}
