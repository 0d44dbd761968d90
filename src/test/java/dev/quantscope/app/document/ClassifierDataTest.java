package dev.quantscope.app.document;

import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierDataTest {

    /** On a machine without Debian's package or ../shared, the classifier pages still get Fashion-MNIST's test split. */
    @Test
    void theBundledTestSplitIsCopiedOutOfTheApplicationAndReads() throws Exception {
        ClassifierData.IdxPair pair = ClassifierData.bundledTest().orElseThrow();
        LabeledImages images = LabeledImages.read(pair.images(), pair.labels(), InputScaling.UNIT);
        assertEquals(10_000, images.count());
        assertEquals(10, images.classes());
        // a second document reuses the run's copy
        assertEquals(pair, ClassifierData.bundledTest().orElseThrow());
        assertTrue(pair.images().getFileName().toString().startsWith("t10k-images"));
    }
}
