package dev.quantscope.app.document;

import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierDataTest {

    /** On a machine without Debian's package or ../shared, the classifier pages still get Fashion-MNIST's test split. */
    @Test
    void theBundledTestSplitIsCopiedOutOfTheApplicationAndReads() throws Exception {
        ClassifierData.IdxPair pair = ClassifierData.bundledTest("fashion-mnist").orElseThrow();
        LabeledImages images = LabeledImages.read(pair.images(), pair.labels(), InputScaling.UNIT);
        assertEquals(10_000, images.count());
        assertEquals(10, images.classes());
        // a second document reuses the run's copy
        assertEquals(pair, ClassifierData.bundledTest("fashion-mnist").orElseThrow());
        assertTrue(pair.images().getFileName().toString().startsWith("t10k-images"));
    }

    @Test
    void aDigitModelIsOfferedMnistsDigitsAndAGarmentModelFashionMnist() throws Exception {
        ClassifierData digits = new ClassifierData(Path.of("../shared/models/ggml-mnist-mlp.state_dict"));
        digits.offerBundledTestSet();
        LabeledImages test = LabeledImages.read(digits.testProperty().get().orElseThrow().images(),
                digits.testProperty().get().orElseThrow().labels(), InputScaling.UNIT);
        assertEquals(7, test.labels()[0], "MNIST's first test digit is a 7");
        assertTrue(digits.trainProperty().get().isEmpty(), "no MNIST training split to offer");
        ClassifierData garments = new ClassifierData(Path.of("assets/models/fashion-cnn.safetensors"));
        garments.offerBundledTestSet();
        LabeledImages fashion = LabeledImages.read(garments.testProperty().get().orElseThrow().images(),
                garments.testProperty().get().orElseThrow().labels(), InputScaling.UNIT);
        assertEquals(9, fashion.labels()[0], "Fashion-MNIST's first test image is an ankle boot");
        assertFalse(ClassifierData.readsDigits(Path.of("fashion-mnist-cnn.safetensors")));
    }
}
