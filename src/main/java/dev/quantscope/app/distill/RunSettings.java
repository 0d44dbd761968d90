package dev.quantscope.app.distill;

import dev.quantscope.distill.DistillationSettings;
import dev.quantscope.train.Augmentation;
import dev.quantscope.train.TrainingSettings;
import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.OptimizerSettings;

import java.util.Locale;

/**
 * The page's training and distillation settings as the engine takes them, or the one sentence on the field that is
 * wrong. Every run here is seeded with {@link #SEED}, so pressing Start twice draws the same curves, and its learning
 * rate follows a cosine from the rate given down to zero over the run (the usual schedule for short runs).
 */
sealed interface RunSettings {
    long SEED = 42;

    record Valid(TrainingSettings training, DistillationSettings distillation) implements RunSettings {}

    record Invalid(String message) implements RunSettings {}

    /** The optimizers the page offers, as {@code train/optim} defines them. */
    enum OptimizerChoice {
        ADAM("Adam"), SGD("SGD, momentum 0.9");

        private final String label;

        OptimizerChoice(String label) { this.label = label; }

        OptimizerSettings settings() {
            return switch (this) {
                case ADAM -> OptimizerSettings.Adam.withWeightDecay(0);
                case SGD -> new OptimizerSettings.Sgd(0.9, 0);
            };
        }

        @Override
        public String toString() { return label; }
    }

    /** The random changes to training images the page offers (the teacher is asked about the changed images). */
    enum AugmentChoice {
        NONE("None"), SHIFT("Shift ±2 px"), SHIFT_AND_MIRROR("Shift ±2 px and mirror (not for digits)");

        private final String label;

        AugmentChoice(String label) { this.label = label; }

        Augmentation augmentation() {
            return switch (this) {
                case NONE -> Augmentation.NONE;
                case SHIFT -> new Augmentation(2, false);
                case SHIFT_AND_MIRROR -> Augmentation.SHIFT_AND_FLIP;
            };
        }

        @Override
        public String toString() { return label; }
    }

    /** The fields as typed; {@code learningRate} is text so that a half-typed number is told, not lost. */
    static RunSettings of(int epochs, int batchSize, String learningRate, OptimizerChoice optimizer, int patience,
                          boolean keepBest, double temperature, double alpha, AugmentChoice augment, int threads) {
        double rate;
        try {
            rate = Double.parseDouble(learningRate == null ? "" : learningRate.strip());
        } catch (NumberFormatException e) {
            return new Invalid("The learning rate \"" + (learningRate == null ? "" : learningRate.strip()) + "\" is not a number: write it as 0.001.");
        }
        if (!(rate > 0 && rate <= 10)) {
            return new Invalid(String.format(Locale.ROOT, "The learning rate must lie above 0 and at most 10, not %s.", learningRate.strip()));
        }
        if (!(temperature > 0)) return new Invalid("The temperature must be above 0.");
        if (!(alpha >= 0 && alpha <= 1)) return new Invalid("The weight α of the labels must lie between 0 and 1.");
        if (epochs < 1) return new Invalid("Train for at least one epoch.");
        if (batchSize < 1) return new Invalid("A batch holds at least one image.");
        if (patience < 0) return new Invalid("The patience is a number of epochs, 0 for none.");
        TrainingSettings training = new TrainingSettings(epochs, batchSize, optimizer.settings(),
                new LearningRateSchedule.Cosine(rate, 0, 0), SEED, Math.max(1, threads), patience, keepBest,
                augment.augmentation());
        return new Valid(training, new DistillationSettings(temperature, alpha));
    }
}
