package dev.quantscope.train;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.nn.Network;
import dev.quantscope.train.nn.SoftmaxCrossEntropy;
import dev.quantscope.train.optim.Optimizer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * One training run of a classifier in place: each epoch shuffles the examples from the seed, trains mini-batch by
 * mini-batch (every batch's work split over the threads inside each layer, so that the result does not depend on
 * their number), then validates; early stopping and keep-best watch the validation accuracy.
 */
final class ClassifierTrainingRun implements TrainingRun {
    private final TrainingSettings settings;
    private final Classifier model;
    private final LabeledImages train;
    private final Optional<LabeledImages> validation;
    private final BatchLoss loss;
    private final Network network;
    private final Optimizer optimizer;
    private final int[] order, examples;
    /** The batch's inputs as the network sees them: gathered in the epoch's order, and augmented when asked. */
    private final float[] batchInputs;
    private final float[] logitGradient;
    private final long stepsPerEpoch, totalSteps;
    private final long start = System.nanoTime();
    private final List<EpochReport> reports = new ArrayList<>();
    private long step;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    private int bestEpoch, epochsSinceBest;
    private Classifier best;
    private boolean stoppedEarly, cancelled, closed;

    ClassifierTrainingRun(TrainingSettings settings, Classifier model, LabeledImages train, Optional<LabeledImages> validation, BatchLoss loss) {
        if (train.count() == 0) throw new IllegalArgumentException("The training set is empty.");
        if (train.shape().features() != model.architecture().input().features()) {
            throw new IllegalArgumentException("The classifier takes " + model.architecture().input() + " inputs, and the training images are " + train.shape() + ".");
        }
        if (train.classes() > model.architecture().classes()) {
            throw new IllegalArgumentException("The labels go up to class " + (train.classes() - 1) + ", and the classifier has " + model.architecture().classes() + " classes.");
        }
        this.settings = settings;
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.loss = loss;
        int batch = Math.min(settings.batchSize(), train.count());
        this.network = new Network(model, batch, settings.threads(), settings.seed(), true);
        this.optimizer = settings.optimizer().create(network.parameters());
        this.order = new int[train.count()];
        this.examples = new int[batch];
        this.batchInputs = new float[Math.multiplyExact(batch, train.shape().features())];
        this.logitGradient = new float[Math.multiplyExact(batch, model.architecture().classes())];
        this.stepsPerEpoch = (train.count() + (long) settings.batchSize() - 1) / settings.batchSize();
        this.totalSteps = Math.multiplyExact(stepsPerEpoch, settings.epochs());
    }

    long totalSteps() {
        return totalSteps;
    }

    @Override
    public EpochReport nextEpoch(TrainingListener listener, BooleanSupplier cancel) {
        if (done()) throw new IllegalStateException("The training run is over.");
        int epoch = reports.size() + 1;
        shuffle(epoch);
        SplittableRandom augmentRandom = new SplittableRandom(settings.seed() * 0xBF58476D1CE4E5B9L + epoch * 0x94D049BB133111EBL + 1);
        int n = train.count(), classes = model.architecture().classes(), batchSize = examples.length;
        double lossSum = 0;
        long correct = 0, seen = 0;
        for (int from = 0; from < n; from += batchSize) {
            if (cancel.getAsBoolean()) {
                cancelled = true;
                break;
            }
            int batch = Math.min(batchSize, n - from);
            System.arraycopy(order, from, examples, 0, batch);
            gather(batch, augmentRandom);
            float[] logits = network.forward(batchInputs, batch, true, step);
            double batchLoss = loss.lossAndGradient(logits, examples, batchInputs, batch, classes, logitGradient);
            for (int b = 0; b < batch; b++) if (Accuracy.argmax(logits, b * classes, classes) == train.labels()[examples[b]]) correct++;
            network.backward(logitGradient, batch);
            optimizer.step(settings.schedule().rate(step, totalSteps));
            lossSum += batchLoss;
            seen += batch;
            listener.onBatch(step, totalSteps, batchLoss / batch);
            step++;
        }
        double rate = settings.schedule().rate(Math.max(0, step - 1), totalSteps);
        if (cancelled) {
            finishQuietly();
            return new EpochReport(epoch, seen == 0 ? Double.NaN : lossSum / seen, seen == 0 ? Double.NaN : (double) correct / seen,
                    OptionalDouble.empty(), OptionalDouble.empty(), rate, elapsed());
        }
        OptionalDouble valAccuracy = OptionalDouble.empty(), valLoss = OptionalDouble.empty();
        if (validation.isPresent()) {
            double[] v = validate(validation.get());
            valAccuracy = OptionalDouble.of(v[0]);
            valLoss = OptionalDouble.of(v[1]);
            watch(epoch, v[0]);
        }
        EpochReport report = new EpochReport(epoch, lossSum / seen, (double) correct / seen, valAccuracy, valLoss, rate, elapsed());
        reports.add(report);
        listener.onEpoch(report);
        if (done()) finishQuietly();
        return report;
    }

    /** The batch's examples into {@link #batchInputs}, each changed by its own draw when training augments. */
    private void gather(int batch, SplittableRandom random) {
        Augmentation augmentation = settings.augmentation();
        int features = train.shape().features();
        for (int b = 0; b < batch; b++) {
            int src = examples[b] * features;
            if (augmentation.none()) System.arraycopy(train.inputs(), src, batchInputs, b * features, features);
            else Augmentation.apply(augmentation.draw(random), train.inputs(), src, train.shape(), batchInputs, b * features);
        }
    }

    /** A fresh permutation per epoch from the seed and the epoch number (Fisher–Yates). */
    private void shuffle(int epoch) {
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Top-1 accuracy and mean cross-entropy on the held-out set, at inference (running statistics, no dropout). */
    private double[] validate(LabeledImages data) {
        int classes = model.architecture().classes();
        float[] logits = model.logits(data.inputs(), data.count(), settings.threads());
        double ce = SoftmaxCrossEntropy.lossAndGradient(logits, data.labels(), data.count(), classes, null);
        long correct = 0;
        for (int i = 0; i < data.count(); i++) if (Accuracy.argmax(logits, i * classes, classes) == data.labels()[i]) correct++;
        return new double[] {(double) correct / data.count(), ce / data.count()};
    }

    private void watch(int epoch, double accuracy) {
        if (accuracy > bestAccuracy) {
            bestAccuracy = accuracy;
            bestEpoch = epoch;
            epochsSinceBest = 0;
            if (settings.keepBest()) {
                if (best == null) best = model.copy();
                else best.copyFrom(model);
            }
        } else {
            epochsSinceBest++;
            if (settings.patience() > 0 && epochsSinceBest >= settings.patience()) stoppedEarly = true;
        }
    }

    @Override
    public boolean done() {
        return cancelled || stoppedEarly || reports.size() >= settings.epochs();
    }

    @Override
    public TrainingResult finish() {
        finishQuietly();
        int kept = reports.size();
        if (settings.keepBest() && best != null && bestEpoch != kept) {
            model.copyFrom(best);
            kept = bestEpoch;
        }
        return new TrainingResult(List.copyOf(reports), kept, stoppedEarly, cancelled, elapsed());
    }

    private void finishQuietly() {
        if (!closed) {
            closed = true;
            network.close();
        }
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
