package dev.quantscope.cli;

import dev.quantscope.train.Augmentation;
import dev.quantscope.train.TrainingSettings;
import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.OptimizerSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;

/**
 * How a classifier is trained, mixed into {@code train}, {@code distill} and {@code bench train} so that one set of
 * names, defaults and checks turns into a {@link TrainingSettings}.
 */
public final class TrainingOptions {

    /** --epochs (default 10), --lr (0.001 for adam, 0.05 for sgd), --batch (64 images), --seed (0). */
    @Mixin
    TrainingRunOptions run;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", description = "sgd or adam (AdamW when --weight-decay is set; default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0", description = "Weight decay of weights, not biases (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine", description = "Learning-rate schedule: cosine (down to 0), step (×0.1 at each third) or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--patience", paramLabel = "P", defaultValue = "0", description = "Stop after P epochs without a better validation accuracy; 0 never (default).")
    int patience;

    @Option(names = "--augment", paramLabel = "LIST", defaultValue = "none", description = "Random changes to each training image: none (default), shift:N (up to N pixels each way), flip (mirror images; not for digits), e.g. shift:2,flip. A teacher is asked about the changed images.")
    String augment;

    @Option(names = "--keep-best", description = "End with the weights of the epoch of best validation accuracy.")
    boolean keepBest;

    /** The settings, each refused in one sentence naming its option when out of range. */
    public TrainingSettings settings(int threads, int trainingExamples) {
        int epochs = run.epochsOr(10), batch = run.batchOr(64);
        if (patience < 0) throw new IllegalArgumentException("--patience must not be negative");
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("--momentum must be in [0, 1)");
        if (weightDecay < 0) throw new IllegalArgumentException("--weight-decay must not be negative");
        OptimizerSettings opt = switch (optimizer.toLowerCase(Locale.ROOT)) {
            case "sgd" -> new OptimizerSettings.Sgd(momentum, weightDecay);
            case "adam", "adamw" -> OptimizerSettings.Adam.withWeightDecay(weightDecay);
            default -> throw new IllegalArgumentException("--optimizer must be sgd or adam, not \"" + optimizer + "\"");
        };
        double lr = run.learningRateOr(opt instanceof OptimizerSettings.Sgd ? 0.05 : 0.001);
        long stepsPerEpoch = Math.max(1, (trainingExamples + (long) batch - 1) / batch);
        long totalSteps = Math.multiplyExact(stepsPerEpoch, epochs);
        LearningRateSchedule rates = switch (schedule.toLowerCase(Locale.ROOT)) {
            case "cosine" -> new LearningRateSchedule.Cosine(lr, 0, 0);
            case "step" -> new LearningRateSchedule.Step(lr, 0.1, Math.max(1, totalSteps / 3));
            case "constant" -> new LearningRateSchedule.Constant(lr);
            default -> throw new IllegalArgumentException("--schedule must be cosine, step or constant, not \"" + schedule + "\"");
        };
        Augmentation augmentation;
        try {
            augmentation = Augmentation.parse(augment);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--augment: " + e.getMessage());
        }
        return new TrainingSettings(epochs, batch, opt, rates, run.seedOr(0), threads, patience, keepBest, augmentation);
    }
}
