package dev.quantscope.distill;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.ClassifierInference;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.BatchLoss;
import dev.quantscope.train.SteadyTiming;
import dev.quantscope.train.Trainer;
import dev.quantscope.train.TrainingSettings;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * Distils a teacher into a student architecture and, when asked, trains the same student on the labels alone as a
 * baseline. Both students start from the same weights (one initialisation from the training seed, copied) and see the
 * same batches in the same order, so the only difference between them is the loss: what the teacher adds.
 */
public final class Distillation {
    /** Examples per timed pass of the teacher, to estimate its passes over the training set. */
    private static final int TEACHER_ESTIMATE_EXAMPLES = 32;
    /** How long the teacher's passes are timed, at most. */
    private static final long TEACHER_ESTIMATE_NANOS = 5_000_000_000L;

    private final Classifier teacher;
    private final Architecture student;
    private final TrainingSettings training;
    private final DistillationSettings kd;
    private final boolean withLabelsOnlyBaseline;

    public Distillation(Classifier teacher, Architecture student, TrainingSettings training,
                        DistillationSettings kd, boolean withLabelsOnlyBaseline) {
        if (teacher.architecture().classes() != student.classes()) {
            throw new IllegalArgumentException("The teacher has " + teacher.architecture().classes()
                    + " classes and the student " + student.classes() + ".");
        }
        if (teacher.architecture().input().features() != student.input().features()) {
            throw new IllegalArgumentException("The teacher takes inputs of " + teacher.architecture().input()
                    + " and the student " + student.input() + ".");
        }
        this.teacher = teacher;
        this.student = student;
        this.training = training;
        this.kd = kd;
        this.withLabelsOnlyBaseline = withLabelsOnlyBaseline;
    }

    /**
     * Both runs, all epochs, before starting: the trainer's estimate of one student epoch (the loss's own cost is
     * negligible beside the network's, so cross-entropy stands in for distillation's), times the epochs and the
     * runs, plus the teacher's passes over the set (one, or one per epoch when the images are augmented), timed on a
     * few examples.
     */
    public Duration estimate(LabeledImages train) {
        Trainer trainer = new Trainer(training);
        Duration epoch = trainer.estimateEpoch(Classifier.initialized(student, training.seed()), train, Trainer.crossEntropy(train));
        Duration students = epoch.multipliedBy((long) training.epochs() * (withLabelsOnlyBaseline ? 2 : 1));
        // the teacher runs over the set once, or, when the images are augmented, over every epoch's images
        Duration teacher = teacherPass(train).multipliedBy(training.augmentation().none() ? 1 : training.epochs());
        return students.plus(teacher);
    }

    private Duration teacherPass(LabeledImages train) {
        int n = Math.min(TEACHER_ESTIMATE_EXAMPLES, train.count());
        if (n == 0) return Duration.ZERO;
        float[] sample = java.util.Arrays.copyOf(train.inputs(), Math.multiplyExact(n, train.shape().features()));
        // Small passes, repeated until their time settles: the first ones run before the JIT has compiled the
        // kernels, and one interpreted pass over a few hundred images could fill the whole budget alone (an 824,650-
        // parameter CNN teacher on one busy thread: 43 minutes estimated for a 4-minute run).
        SteadyTiming timing = new SteadyTiming();
        long start = System.nanoTime();
        try (ClassifierInference pass = teacher.inference(n, training.threads())) {
            while (!timing.steady() && System.nanoTime() - start < TEACHER_ESTIMATE_NANOS) {
                long t0 = System.nanoTime();
                pass.logits(sample, n);
                timing.add(System.nanoTime() - t0);
            }
        }
        return Duration.ofNanos((long) (timing.typical() * train.count() / n));
    }

    /** Epochs interleaved: distilled epoch k, then labels-only epoch k, so both curves grow together. */
    public DistillationResult run(LabeledImages train, Optional<LabeledImages> validation,
                                  DistillationListener listener, BooleanSupplier cancelled) {
        DistillationLoss.checkFits(teacher, train);
        OptionalDouble teacherAccuracy = validation.isPresent()
                ? OptionalDouble.of(Accuracy.measure(teacher, validation.get(), training.threads(), 0).top1())
                : OptionalDouble.empty();
        try (DistillationLoss distillationLoss = training.augmentation().none()
                ? DistillationLoss.of(teacher, train, kd, training.threads())
                : DistillationLoss.perBatch(teacher, train, kd, Math.min(training.batchSize(), train.count()), training.threads())) {
            return run(train, validation, distillationLoss, teacherAccuracy, listener, cancelled);
        }
    }

    private DistillationResult run(LabeledImages train, Optional<LabeledImages> validation, BatchLoss distillationLoss,
                                   OptionalDouble teacherAccuracy, DistillationListener listener, BooleanSupplier cancelled) {
        Trainer trainer = new Trainer(training);
        Classifier distilled = Classifier.initialized(student, training.seed());
        Optional<Classifier> labelsOnly = withLabelsOnlyBaseline ? Optional.of(distilled.copy()) : Optional.empty();
        OwnClockRun distilledRun = new OwnClockRun(trainer.begin(distilled, train, validation, distillationLoss),
                StudentRun.DISTILLED, listener);
        Optional<OwnClockRun> labelsOnlyRun = labelsOnly.map(model -> new OwnClockRun(
                trainer.begin(model, train, validation, Trainer.crossEntropy(train)), StudentRun.LABELS_ONLY, listener));

        while (!distilledRun.done() || labelsOnlyRun.map(r -> !r.done()).orElse(false)) {
            if (!distilledRun.done()) distilledRun.nextEpoch(cancelled);
            if (labelsOnlyRun.isPresent() && !labelsOnlyRun.get().done()) labelsOnlyRun.get().nextEpoch(cancelled);
        }
        return new DistillationResult(distilled, distilledRun.finish(),
                labelsOnly, labelsOnlyRun.map(OwnClockRun::finish), teacherAccuracy);
    }
}
