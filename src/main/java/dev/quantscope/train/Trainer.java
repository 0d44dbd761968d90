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

    /**
     * An estimate of one epoch's time, from timing mini-batches on a copy of the model (the model is untouched).
     * <p>
     * The first batches run before the JIT has compiled the kernels, and the Vector API in the interpreter is two
     * orders of magnitude slower than compiled: on a busy machine, whose compiler threads get little time, a fixed
     * budget of 1.5 s saw only such batches and overestimated a 10,000-image epoch a hundredfold (30 minutes for 20 s).
     * So batches run until the time per batch is steady ({@link SteadyTiming}), or for at most
     * {@link #ESTIMATE_NANOS}, and the estimate is the median of the last ones.
     */
    public Duration estimateEpoch(Classifier model, LabeledImages train, BatchLoss loss) {
        long steps = (train.count() + (long) settings.batchSize() - 1) / settings.batchSize();
        TrainingSettings one = new TrainingSettings(1, settings.batchSize(), settings.optimizer(), settings.schedule(),
                settings.seed(), settings.threads(), 0, false, settings.augmentation());
        TrainingRun run = new Trainer(one).begin(model.copy(), train, Optional.empty(), loss);
        SteadyTiming timing = new SteadyTiming();
        long start = System.nanoTime();
        long[] last = {start};
        run.nextEpoch(new TrainingListener() {
            @Override
            public void onBatch(long step, long totalSteps, double batchLoss) {
                long now = System.nanoTime();
                timing.add(now - last[0]);
                last[0] = now;
            }
        }, () -> timing.steady() || timing.count() >= ESTIMATE_STEPS || System.nanoTime() - start > ESTIMATE_NANOS);
        run.finish();
        if (timing.count() == 0) return Duration.ZERO;
        return Duration.ofNanos((long) (timing.typical() * steps));
    }

    /** How long an estimate may train, at most: ten seconds, or 400 batches. */
    private static final long ESTIMATE_NANOS = 10_000_000_000L;
    private static final int ESTIMATE_STEPS = 400;

    /** Cross-entropy of softmax(logits) against the data set's labels. */
    public static BatchLoss crossEntropy(LabeledImages train) {
        int[] labels = train.labels();
        return (logits, examples, inputs, batch, classes, gradient) ->
                SoftmaxCrossEntropy.lossAndGradient(logits, labels, examples, batch, classes, gradient);
    }
}
