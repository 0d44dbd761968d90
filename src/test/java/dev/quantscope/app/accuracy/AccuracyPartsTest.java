package dev.quantscope.app.accuracy;

import dev.quantscope.engine.classifier.AccuracyResult;
import dev.quantscope.engine.classifier.Misclassified;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Accuracy page's parts that need no window: slices adding up to the whole set, inputs as typed, class names. */
class AccuracyPartsTest {

    @Test
    void slicesAddUpToTheWholeSet() {
        // Slice 1: 3 examples, 2 right (top-5: 3); slice 2, from example 3: 2 examples, 1 right (top-5: 2).
        AccuracyResult first = new AccuracyResult(2 / 3.0, 1.0, 3, new int[][] {{1, 1}, {0, 1}},
                List.of(new Misclassified(1, 0, 1, 0.75f)));
        AccuracyResult second = new AccuracyResult(0.5, 1.0, 2, new int[][] {{0, 0}, {1, 1}},
                List.of(new Misclassified(0, 1, 0, 0.6f)));
        AccuracyResult whole = ChunkedAccuracy.merge(List.of(first, second), List.of(0, 3));
        assertEquals(5, whole.n());
        assertEquals(3 / 5.0, whole.top1(), 1e-15, "hits counted, not accuracies averaged");
        assertEquals(1.0, whole.top5(), 1e-15);
        assertArrayEquals(new int[] {1, 1}, whole.confusion()[0]);
        assertArrayEquals(new int[] {1, 2}, whole.confusion()[1]);
        assertEquals(List.of(new Misclassified(1, 0, 1, 0.75f), new Misclassified(3, 1, 0, 0.6f)), whole.misclassified(),
                "each mistake at its index in the whole set");
    }

    @Test
    void scaleMeanAndStdAreReadAsTyped() {
        assertEquals(1 / 255.0, AccuracyViewModel.number("1/255", "Scale"), 1e-15);
        assertEquals(0.1307, AccuracyViewModel.number(" 0.1307 ", "Mean"), 0);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> AccuracyViewModel.number("abc", "Std"));
        assertEquals("Std \"abc\" is not a number (write 0.5 or 1/255).", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AccuracyViewModel.number("1/0", "Scale"), "not finite");
    }

    @Test
    void fashionMnistNamesItsGarmentsAndDigitsAreNumbers() {
        ClassNames fashion = ClassNames.of(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"), 10);
        assertEquals("Ankle boot", fashion.name(9));
        assertEquals("T-shirt/top", fashion.name(0));
        ClassNames digits = ClassNames.of(Path.of("assets/data/mnist/t10k-images-idx3-ubyte.gz"), 10);
        assertEquals("7", digits.name(7));
        assertEquals("12", digits.name(12), "a class the data set has no name for is its number");
        assertEquals("3", ClassNames.of(Path.of("fashion-subset-images.idx"), 4).name(3), "not Fashion-MNIST's ten");
    }

    @Test
    void theLabelsBesideTheImagesAreFound(@TempDir Path dir) throws Exception {
        Path images = Files.createFile(dir.resolve("train-images-idx3-ubyte.gz"));
        assertEquals(Optional.empty(), IdxFiles.labelsBeside(images));
        Path labels = Files.createFile(dir.resolve("train-labels-idx1-ubyte.gz"));
        assertEquals(Optional.of(labels), IdxFiles.labelsBeside(images));
        assertEquals(Optional.empty(), IdxFiles.labelsBeside(Files.createFile(dir.resolve("digits.idx"))));
        assertEquals(dir.getFileName() + "/train-images-idx3-ubyte.gz", IdxFiles.shortName(images));
    }
}
