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
        int batch = Math.min(settings.batchSize(), train.count());
        long steps = (train.count() + (long) settings.batchSize() - 1) / settings.batchSize();
        // two batches to warm the compiler up, then up to eight timed (a second's worth is plenty)
        int warm = steps > 2 ? 2 : 0, timed = (int) Math.min(8, steps - warm);
        LabeledImages sample = train.slice(0, Math.min(train.count(), (warm + timed) * batch));
        TrainingSettings one = new TrainingSettings(1, batch, settings.optimizer(), settings.schedule(), settings.seed(),
                settings.threads(), 0, false);
        TrainingRun run = new Trainer(one).begin(model.copy(), sample, Optional.empty(), loss);
        long[] started = {System.nanoTime()};
        int[] count = new int[1];
        run.nextEpoch(new TrainingListener() {
            @Override
            public void onBatch(long step, long totalSteps, double batchLoss) {
                if (step + 1 == warm) started[0] = System.nanoTime();
                if (step + 1 > warm) count[0]++;
            }
        }, () -> false);
        long ended = System.nanoTime();
        run.finish();
        double perStep = (ended - started[0]) / (double) count[0];
        return Duration.ofNanos((long) (perStep * steps));
    }

    /** Cross-entropy of softmax(logits) against the data set's labels. */
    public static BatchLoss crossEntropy(LabeledImages train) {
        int[] labels = train.labels();
        return (logits, examples, batch, classes, gradient) ->
                SoftmaxCrossEntropy.lossAndGradient(logits, labels, examples, batch, classes, gradient);
    }
}
