package dev.quantscope.train;

import java.util.function.BooleanSupplier;

/**
 * A training run taken one epoch at a time, so that two runs (a distilled student and the same student on labels
 * alone) can advance side by side. Made by {@link Trainer#begin}.
 */
public interface TrainingRun {

    /** Trains one epoch (checking {@code cancelled} between mini-batches) and validates; throws if {@link #done()}. */
    EpochReport nextEpoch(TrainingListener listener, BooleanSupplier cancelled);

    /** All epochs trained, early-stopped, or cancelled. */
    boolean done();

    /** Ends the run: restores the best epoch's weights when keep-best is on. */
    TrainingResult finish();
}
