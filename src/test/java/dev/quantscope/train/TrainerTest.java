package dev.quantscope.train;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.ParameterTensor;
import dev.quantscope.testing.SharedFiles;
import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.OptimizerSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    static TrainingSettings settings(int epochs, int batch, OptimizerSettings opt, double lr, long seed, int threads, int patience, boolean keepBest) {
        return new TrainingSettings(epochs, batch, opt, new LearningRateSchedule.Constant(lr), seed, threads, patience, keepBest);
    }

    static LabeledImages xor() {
        float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
        return new LabeledImages(InputShape.flat(2), x, new byte[8], new int[] {0, 1, 1, 0}, 2);
    }

    @Test
    void twoLayerMlpLearnsXor() {
        LabeledImages data = xor();
        Classifier model = Classifier.initialized(Architecture.parse("fc:8", InputShape.flat(2), 2), 1);
        TrainingResult r = new Trainer(settings(300, 4, OptimizerSettings.Adam.withWeightDecay(0), 0.05, 1, 1, 0, false))
                .fit(model, data, Optional.empty(), Trainer.crossEntropy(data), TrainingListener.NONE, () -> false);
        assertEquals(300, r.epochs().size());
        assertEquals(1.0, Accuracy.measure(model, data, 1, 0).top1());
        assertTrue(r.epochs().getLast().trainLoss() < 0.05, "loss " + r.epochs().getLast().trainLoss());
    }

    /** Same seed, same settings: the same weights bit for bit, on one thread or two (dropout and batch norm included). */
    @Test
    void aSeededRunRepeatsBitForBitWhateverTheThreadCount() throws IOException {
        LabeledImages data = fashionTest().slice(0, 300);
        Architecture a = Architecture.parse("conv:4,bn,pool,fc:16,dropout:0.3", InputShape.image(28, 28), 10);
        List<Classifier> trained = new ArrayList<>();
        for (int threads : new int[] {1, 2, 2}) {
            Classifier model = Classifier.initialized(a, 9);
            new Trainer(settings(2, 32, new OptimizerSettings.Sgd(0.9, 1e-4), 0.05, 9, threads, 0, false))
                    .fit(model, data, Optional.empty(), Trainer.crossEntropy(data), TrainingListener.NONE, () -> false);
            trained.add(model);
        }
        for (ParameterTensor p : a.parameters()) {
            assertArrayEquals(trained.get(0).tensor(p.name()), trained.get(1).tensor(p.name()), p.name());
            assertArrayEquals(trained.get(1).tensor(p.name()), trained.get(2).tensor(p.name()), p.name());
        }
        assertFalse(java.util.Arrays.equals(Classifier.initialized(a, 9).tensor("fc1.weight"), trained.get(0).tensor("fc1.weight")));
    }

    @Test
    void aShortFashionMnistRunClassifiesHeldOutImages() throws IOException {
        LabeledImages all = fashionTest();
        LabeledImages train = all.slice(0, 4000), held = all.slice(8000, 10_000);
        Classifier model = Classifier.initialized(Architecture.parse("fc:64", InputShape.image(28, 28), 10), 2);
        List<EpochReport> heard = new ArrayList<>();
        long[] batches = {0};
        TrainingResult r = new Trainer(settings(3, 32, OptimizerSettings.Adam.withWeightDecay(0), 0.002, 2, 2, 0, false))
                .fit(model, train, Optional.of(held), Trainer.crossEntropy(train), new TrainingListener() {
                    @Override
                    public void onBatch(long step, long totalSteps, double loss) {
                        assertEquals(batches[0]++, step);
                        assertEquals(375, totalSteps);
                    }

                    @Override
                    public void onEpoch(EpochReport report) {
                        heard.add(report);
                    }
                }, () -> false);
        assertEquals(375, batches[0]);
        assertEquals(r.epochs(), heard);
        double accuracy = r.epochs().getLast().validationAccuracy().orElseThrow();
        assertTrue(accuracy > 0.70, "held-out accuracy " + accuracy);
        assertEquals(accuracy, Accuracy.measure(model, held, 2, 0).top1(), 1e-12);
        assertTrue(r.epochs().getLast().trainLoss() < r.epochs().getFirst().trainLoss());
    }

    @Test
    void earlyStoppingAndKeepBestFollowValidationAccuracy() throws IOException {
        LabeledImages all = fashionTest();
        LabeledImages train = all.slice(0, 200), held = all.slice(200, 400);
        Classifier model = Classifier.initialized(Architecture.parse("fc:32", InputShape.image(28, 28), 10), 3);
        // a rate far too high: validation accuracy soon stops improving
        TrainingResult r = new Trainer(settings(30, 20, new OptimizerSettings.Sgd(0.9, 0), 0.8, 3, 2, 2, true))
                .fit(model, train, Optional.of(held), Trainer.crossEntropy(train), TrainingListener.NONE, () -> false);
        assertTrue(r.stoppedEarly() && r.epochs().size() < 30, r.epochs().size() + " epochs");
        double best = r.epochs().stream().mapToDouble(e -> e.validationAccuracy().orElseThrow()).max().orElseThrow();
        assertEquals(best, r.epochs().get(r.keptEpoch() - 1).validationAccuracy().orElseThrow());
        assertEquals(best, Accuracy.measure(model, held, 1, 0).top1(), 1e-12);
    }

    @Test
    void cancellingStopsBetweenBatches() {
        LabeledImages data = xor();
        Classifier model = Classifier.initialized(Architecture.parse("fc:4", InputShape.flat(2), 2), 1);
        int[] calls = {0};
        TrainingRun run = new Trainer(settings(5, 1, new OptimizerSettings.Sgd(0, 0), 0.1, 1, 1, 0, false))
                .begin(model, data, Optional.empty(), Trainer.crossEntropy(data));
        run.nextEpoch(TrainingListener.NONE, () -> ++calls[0] > 2);
        assertTrue(run.done());
        TrainingResult r = run.finish();
        assertTrue(r.cancelled());
        assertEquals(0, r.epochs().size());
        assertThrows(IllegalStateException.class, () -> run.nextEpoch(TrainingListener.NONE, () -> false));
    }

    @Test
    void estimateOfAnEpochLeavesTheModelAlone() throws IOException {
        LabeledImages data = fashionTest().slice(0, 1000);
        Classifier model = Classifier.initialized(Architecture.parse("fc:16", InputShape.image(28, 28), 10), 4);
        float[] before = model.tensor("fc1.weight").clone();
        Duration d = new Trainer(settings(1, 50, OptimizerSettings.Adam.withWeightDecay(0), 0.001, 1, 1, 0, false))
                .estimateEpoch(model, data, Trainer.crossEntropy(data));
        assertTrue(d.compareTo(Duration.ZERO) > 0, d.toString());
        assertArrayEquals(before, model.tensor("fc1.weight"));
    }

    static LabeledImages fashionTest() throws IOException {
        return LabeledImages.read(SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                SharedFiles.file("data/fashion-mnist/t10k-labels-idx1-ubyte.gz"), InputScaling.UNIT);
    }
}
