package dev.quantscope.distill;

import dev.quantscope.train.EpochReport;

/** Hears a distillation's progress, for either student; called on the training thread. */
public interface DistillationListener {

    DistillationListener NONE = new DistillationListener() {};

    /** After each mini-batch of {@code run}: its step (0-based, over that student's whole run) of {@code totalSteps} and the batch's mean loss. */
    default void onBatch(StudentRun run, long step, long totalSteps, double loss) {}

    default void onEpoch(StudentRun run, EpochReport report) {}
}
