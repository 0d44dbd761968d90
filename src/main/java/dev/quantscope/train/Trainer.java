package dev.quantscope.train;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;

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
        throw new UnsupportedOperationException("API draft");
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
        throw new UnsupportedOperationException("API draft");
    }

    /** Cross-entropy of softmax(logits) against the data set's labels. */
    public static BatchLoss crossEntropy(LabeledImages train) {
        throw new UnsupportedOperationException("API draft");
    }
}
