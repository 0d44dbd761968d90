package dev.quantscope.train;

import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.OptimizerSettings;

/**
 * How to train: epochs, mini-batch size, optimizer and schedule, the seed that fixes initialisation, shuffling and
 * dropout (the same seed and settings give the same weights bit for bit, whatever the thread count), threads over which
 * each mini-batch is split, early stopping after {@code patience} epochs without a better validation accuracy (0: never),
 * whether the best epoch's weights are kept at the end, and the random changes made to each training image.
 */
public record TrainingSettings(int epochs, int batchSize, OptimizerSettings optimizer, LearningRateSchedule schedule,
                               long seed, int threads, int patience, boolean keepBest, Augmentation augmentation) {

    /** Without augmentation: each example as the data set holds it. */
    public TrainingSettings(int epochs, int batchSize, OptimizerSettings optimizer, LearningRateSchedule schedule,
                            long seed, int threads, int patience, boolean keepBest) {
        this(epochs, batchSize, optimizer, schedule, seed, threads, patience, keepBest, Augmentation.NONE);
    }

    public TrainingSettings {
        if (epochs < 1) throw new IllegalArgumentException(epochs + " epochs.");
        if (batchSize < 1) throw new IllegalArgumentException("A batch of " + batchSize + ".");
        if (threads < 1) throw new IllegalArgumentException(threads + " threads.");
        if (patience < 0) throw new IllegalArgumentException("A patience of " + patience + " epochs.");
        java.util.Objects.requireNonNull(augmentation, "augmentation");
    }

    public TrainingSettings withAugmentation(Augmentation a) {
        return new TrainingSettings(epochs, batchSize, optimizer, schedule, seed, threads, patience, keepBest, a);
    }
}
