package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.distill.DistillationSettings;
import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.train.Trainer;
import dev.quantscope.train.TrainingListener;
import dev.quantscope.train.TrainingSettings;
import dev.quantscope.train.optim.LearningRateSchedule;
import dev.quantscope.train.optim.OptimizerSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static dev.quantscope.cli.AccuracyCommandTest.images;
import static dev.quantscope.cli.AccuracyCommandTest.labels;
import static dev.quantscope.cli.AccuracyCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code quantscope distill} over Fashion-MNIST's 10,000 test images (in ../shared), with a small teacher trained here first. */
class DistillCommandTest {
    @TempDir
    static Path dir;
    private static Path teacher;

    @BeforeAll
    static void teacher() throws IOException {
        LabeledImages data = LabeledImages.read(Path.of(images()), Path.of(labels()), InputScaling.UNIT).slice(0, 3000);
        Classifier model = Classifier.initialized(Architecture.parse("fc:64", data.shape(), 10), 3);
        new Trainer(new TrainingSettings(2, 64, OptimizerSettings.Adam.withWeightDecay(0), new LearningRateSchedule.Constant(3e-3),
                3, 2, 0, false)).fit(model, data, Optional.empty(), Trainer.crossEntropy(data), TrainingListener.NONE, () -> false);
        teacher = dir.resolve("teacher.safetensors");
        model.save(teacher);
    }

    @Test
    void distilsWithABaselineWritesBothStudentsAndAccuracyReadsThemBack() throws Exception {
        Path out = dir.resolve("student.safetensors");
        AccuracyCommandTest.Run r = run("distill", "--teacher", teacher.toString(), "--student", "fc:16",
                "--images", images(), "--labels", labels(), "--val-images", images(), "--val-labels", labels(),
                "--epochs", "2", "--lr", "0.003", "--baseline", "--threads", "2", "-o", out.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("distilled   epoch 1/2") && r.err().contains("labels only epoch 2/2"), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("validation", j.get("measured_on").asText());
        assertEquals(DistillationSettings.DEFAULT_TEMPERATURE, j.get("temperature").asDouble(), "the default");
        assertEquals(DistillationSettings.DEFAULT_ALPHA, j.get("alpha").asDouble());
        assertEquals(50_890, j.get("teacher").get("parameters").asLong());
        JsonNode distilled = j.get("distilled");
        assertEquals(12_730, distilled.get("parameters").asLong());
        assertEquals(2, distilled.get("epochs").size());
        assertEquals("fc:16", distilled.get("architecture").asText());
        double top1 = distilled.get("top1").asDouble();
        assertTrue(top1 > 0.6, r.out());
        assertEquals(2, j.get("labels_only").get("epochs").size());

        for (var student : new Object[][] {{out, top1}, {dir.resolve("student.labels-only.safetensors"),
                j.get("labels_only").get("top1").asDouble()}}) {
            AccuracyCommandTest.Run acc = run("accuracy", student[0].toString(), "--images", images(), "--labels", labels(), "--json");
            assertEquals(0, acc.exit(), acc.err());
            assertEquals((double) student[1], new ObjectMapper().readTree(acc.out()).get("top1").asDouble(), 1e-12);
        }
    }

    @Test
    void badSettingsAreRefusedInOneSentenceAndWriteNothing() {
        Path out = dir.resolve("refused.safetensors");
        for (String[] extra : new String[][] {{"--student", "fc:16", "--alpha", "1.5"}, {"--student", "fc:16", "--temperature", "0"},
                {"--student", "conv"}, {"--student", "fc:16", "--val-labels", labels()}}) {
            String[] args = new String[extra.length + 9];
            System.arraycopy(new String[] {"distill", "--teacher", teacher.toString(), "--images", images(), "--labels", labels(),
                    "-o", out.toString()}, 0, args, 0, 9);
            System.arraycopy(extra, 0, args, 9, extra.length);
            AccuracyCommandTest.Run r = run(args);
            assertNotEquals(0, r.exit(), String.join(" ", extra));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        AccuracyCommandTest.Run missing = run("distill", "--teacher", dir.resolve("none.safetensors").toString(), "--student", "fc:8",
                "--images", images(), "--labels", labels(), "-o", out.toString());
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("none.safetensors"), missing.err());
        assertFalse(Files.exists(out));
    }
}
