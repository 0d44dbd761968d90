package dev.quantscope.distill;

import dev.quantscope.engine.classifier.Accuracy;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.ParameterTensor;
import dev.quantscope.testing.SharedFiles;
import dev.quantscope.train.Augmentation;
import dev.quantscope.train.EpochReport;
import dev.quantscope.train.Trainer;
import dev.quantscope.train.TrainingListener;
import dev.quantscope.train.TrainingSettings;
import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.OptimizerSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distillation on a slice of Fashion-MNIST's test split (in ../shared): 2,000 images to train on, 1,000 to validate,
 * a small MLP teacher trained first and a student of 16 hidden units, so the whole class runs in seconds.
 */
class DistillationTest {
    private static LabeledImages train;
    private static LabeledImages validation;
    private static Classifier teacher;

    @BeforeAll
    static void teacher() throws IOException {
        LabeledImages all = LabeledImages.read(SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                SharedFiles.file("data/fashion-mnist/t10k-labels-idx1-ubyte.gz"), InputScaling.UNIT);
        train = all.slice(0, 2000);
        validation = all.slice(2000, 3000);
        teacher = Classifier.initialized(Architecture.parse("fc:128", train.shape(), train.classes()), 7);
        new Trainer(settings(4, 1)).fit(teacher, train, Optional.empty(), Trainer.crossEntropy(train),
                TrainingListener.NONE, () -> false);
    }

    @Test
    void bothStudentsLearnEpochByEpochInTurnAndTheStudentSavesAndLoadsBack(@TempDir Path dir) throws IOException {
        Architecture student = Architecture.parse("fc:16", train.shape(), train.classes());
        List<String> events = new ArrayList<>();
        List<EpochReport> distilledEpochs = new ArrayList<>();
        DistillationListener listener = new DistillationListener() {
            @Override
            public void onEpoch(StudentRun run, EpochReport report) {
                events.add(run + " " + report.epoch());
                if (run == StudentRun.DISTILLED) distilledEpochs.add(report);
            }
        };
        Distillation distillation = new Distillation(teacher, student, settings(2, 3), DistillationSettings.DEFAULT, true);
        assertTrue(distillation.estimate(train).toNanos() > 0);
        DistillationResult result = distillation.run(train, Optional.of(validation), listener, () -> false);

        assertEquals(List.of("DISTILLED 1", "LABELS_ONLY 1", "DISTILLED 2", "LABELS_ONLY 2"), events);
        assertTrue(result.teacherValidationAccuracy().orElseThrow() > 0.7, "teacher " + result.teacherValidationAccuracy());
        double first = distilledEpochs.getFirst().validationAccuracy().orElseThrow();
        double last = distilledEpochs.getLast().validationAccuracy().orElseThrow();
        assertTrue(last > 0.5 && last > first, "distilled student's validation accuracy " + first + " → " + last);
        assertEquals(2, result.labelsOnlyRun().orElseThrow().epochs().size());
        // the reports heard are the result's, each student's times on its own clock (not the other's epochs too)
        assertEquals(distilledEpochs, result.distilledRun().epochs());
        assertTrue(result.distilledRun().elapsed().compareTo(distilledEpochs.getLast().elapsed()) >= 0);
        assertFalse(result.distilledRun().cancelled());

        Path file = dir.resolve("student.safetensors");
        result.distilled().save(file);
        Classifier loaded = Classifier.load(file);
        assertEquals(student, loaded.architecture());
        assertEquals(Accuracy.measure(result.distilled(), validation, 2, 0).top1(),
                Accuracy.measure(loaded, validation, 2, 0).top1());
    }

    /**
     * With augmented images the teacher is asked about each batch as the student sees it: the per-batch loss on
     * unchanged images equals the loss over logits computed up front, and an augmented distillation still learns.
     */
    @Test
    void anAugmentedRunAsksTheTeacherAboutTheImagesTheStudentSees() {
        LabeledImages small = train.slice(0, 64);
        int[] examples = new int[small.count()];
        for (int i = 0; i < examples.length; i++) examples[i] = i;
        float[] logits = teacher.logits(small.inputs(), small.count(), 1);
        for (int i = 0; i < logits.length; i++) logits[i] *= 0.5f; // a student that is not the teacher
        float[] upFront = new float[logits.length], perBatch = new float[logits.length];
        double a, b;
        try (DistillationLoss whole = DistillationLoss.of(teacher, small, DistillationSettings.DEFAULT, 1);
             DistillationLoss batches = DistillationLoss.perBatch(teacher, small, DistillationSettings.DEFAULT, 64, 2)) {
            a = whole.lossAndGradient(logits, examples, small.inputs(), small.count(), small.classes(), upFront);
            b = batches.lossAndGradient(logits, examples, small.inputs(), small.count(), small.classes(), perBatch);
        }
        assertEquals(a, b, 1e-9 * Math.abs(a));
        assertArrayEquals(upFront, perBatch, 1e-9f);
        assertTrue(a > 0);

        Architecture student = Architecture.parse("fc:16", train.shape(), train.classes());
        TrainingSettings augmented = settings(2, 3).withAugmentation(Augmentation.SHIFT_AND_FLIP);
        Distillation distillation = new Distillation(teacher, student, augmented, DistillationSettings.DEFAULT, true);
        DistillationResult result = distillation.run(train, Optional.of(validation), DistillationListener.NONE, () -> false);
        double last = result.distilledRun().epochs().getLast().validationAccuracy().orElseThrow();
        assertTrue(last > 0.5, "augmented distilled student's validation accuracy " + last);
        assertFalse(Arrays.equals(result.distilled().tensor("fc1.weight"), result.labelsOnly().orElseThrow().tensor("fc1.weight")));
    }

    @Test
    void withAlphaOneTheTwoStudentsAreTheSameTraining() {
        // The loss is then cross-entropy alone: same initial weights and batches must give the same weights, up to
        // the rounding of two implementations of one gradient.
        Architecture student = Architecture.parse("fc:8", train.shape(), train.classes());
        LabeledImages small = train.slice(0, 500);
        DistillationResult result = new Distillation(teacher, student, settings(1, 5), new DistillationSettings(4, 1), true)
                .run(small, Optional.empty(), DistillationListener.NONE, () -> false);
        Classifier labelsOnly = result.labelsOnly().orElseThrow();
        for (ParameterTensor p : student.parameters()) {
            assertArrayEquals(labelsOnly.tensor(p.name()), result.distilled().tensor(p.name()), 1e-4f, p.name());
        }
    }

    @Test
    void cancelStopsBothStudents() {
        Architecture student = Architecture.parse("fc:8", train.shape(), train.classes());
        int[] batches = {0};
        DistillationListener listener = new DistillationListener() {
            @Override
            public void onBatch(StudentRun run, long step, long totalSteps, double loss) {
                batches[0]++;
            }
        };
        DistillationResult result = new Distillation(teacher, student, settings(5, 5), DistillationSettings.DEFAULT, true)
                .run(train, Optional.empty(), listener, () -> batches[0] >= 3);
        assertTrue(result.distilledRun().cancelled());
        assertTrue(result.labelsOnlyRun().orElseThrow().cancelled());
        assertTrue(batches[0] < 10, batches[0] + " batches after cancel");
    }

    @Test
    void aTeacherOfOtherClassesIsRefusedInOneSentence() {
        Architecture threeClasses = Architecture.parse("fc:8", train.shape(), 3);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Distillation(teacher, threeClasses, settings(1, 1), DistillationSettings.DEFAULT, false));
        assertEquals("The teacher has 10 classes and the student 3.", e.getMessage());
    }

    private static TrainingSettings settings(int epochs, long seed) {
        return new TrainingSettings(epochs, 64, OptimizerSettings.Adam.withWeightDecay(0), new LearningRateSchedule.Constant(3e-3),
                seed, 2, 0, false);
    }
}
