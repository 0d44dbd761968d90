package dev.quantscope.train;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.nn.SoftmaxCrossEntropy;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Trains a classifier in place with mini-batch gradient descent. */
public final class Trainer {
    private final TrainingSettings settings;

    public Trainer(TrainingSettings settings) {
        this.settings = settings;
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** A run over {@code train}, validated on {@code validation} after each epoch when given. */
    public TrainingRun begin(Classifier model, LabeledImages train, Optional<LabeledImages> validation, BatchLoss loss) {
        return new ClassifierTrainingRun(settings, model, train, validation, loss);
    }

    /** All epochs: {@link #begin} then {@link TrainingRun#nextEpoch} until done, then {@link TrainingRun#finish}. */
    public TrainingResult fit(Classifier model, LabeledImages train, Optional<LabeledImages> validation, BatchLoss loss,
                              TrainingListener listener, BooleanSupplier cancelled) {
        TrainingRun run = begin(model, train, validation, loss);
        while (!run.done()) {
            run.nextEpoch(listener, cancelled);
        }
        return run.finish();
    }

    /** An estimate of one epoch's time, from timing a few mini-batches on a copy of the model (the model is untouched). */
    public Duration estimateEpoch(Classifier model, LabeledImages train, BatchLoss loss) {
        long steps = (train.count() + (long) settings.batchSize() - 1) / settings.batchSize();
        TrainingSettings one = new TrainingSettings(1, settings.batchSize(), settings.optimizer(), settings.schedule(),
                settings.seed(), settings.threads(), 0, false, settings.augmentation());
        TrainingRun run = new Trainer(one).begin(model.copy(), train, Optional.empty(), loss);
        // Batches run for up to ESTIMATE_NANOS (or ESTIMATE_STEPS), and only the second half of them is timed: the
        // first ones run before the JIT has compiled the kernels and are several times slower than the rest of an
        // epoch (timing two warm-up batches and eight more overestimated a fresh JVM's epoch about tenfold).
        long[] stamps = new long[ESTIMATE_STEPS + 1];
        int[] count = {0};
        long start = System.nanoTime();
        stamps[0] = start;
        run.nextEpoch(new TrainingListener() {
            @Override
            public void onBatch(long step, long totalSteps, double batchLoss) {
                if (count[0] < ESTIMATE_STEPS) stamps[++count[0]] = System.nanoTime();
            }
        }, () -> count[0] >= ESTIMATE_STEPS || System.nanoTime() - start > ESTIMATE_NANOS);
        run.finish();
        int n = count[0], from = n / 2;
        if (n == 0) return Duration.ZERO;
        double perStep = (stamps[n] - stamps[from]) / (double) (n - from);
        return Duration.ofNanos((long) (perStep * steps));
    }

    /** How long an estimate may train, at most: a second and a half, or 400 batches. */
    private static final long ESTIMATE_NANOS = 1_500_000_000L;
    private static final int ESTIMATE_STEPS = 400;

    /** Cross-entropy of softmax(logits) against the data set's labels. */
    public static BatchLoss crossEntropy(LabeledImages train) {
        int[] labels = train.labels();
        return (logits, examples, inputs, batch, classes, gradient) ->
                SoftmaxCrossEntropy.lossAndGradient(logits, labels, examples, batch, classes, gradient);
    }
}
