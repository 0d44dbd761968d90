package dev.quantscope.train;

/** Hears a training run's progress; called on the training thread. */
public interface TrainingListener {

    TrainingListener NONE = new TrainingListener() {};

    /** After each mini-batch: the step (0-based, counted over the whole run) of {@code totalSteps}, and the batch's mean loss. */
    default void onBatch(long step, long totalSteps, double loss) {}

    default void onEpoch(EpochReport report) {}
}
