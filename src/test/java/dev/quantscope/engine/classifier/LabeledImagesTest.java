package dev.quantscope.engine.classifier;

import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabeledImagesTest {
    @TempDir
    Path dir;

    private static final byte[] PIXELS = {0, (byte) 255, 51, 102, 1, 2, 3, 4};   // two 2×2 images

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path images = IdxFixtures.write(dir.resolve("i" + gzip), IdxFixtures.idx(new int[] {2, 2, 2}, PIXELS), gzip);
            Path labels = IdxFixtures.write(dir.resolve("l" + gzip), IdxFixtures.idx(new int[] {2}, new byte[] {3, 0}), gzip);
            LabeledImages d = LabeledImages.read(images, labels, InputScaling.UNIT);
            assertEquals(2, d.count());
            assertEquals(InputShape.image(2, 2), d.shape());
            assertEquals(4, d.classes());
            assertArrayEquals(new int[] {3, 0}, d.labels());
            assertEquals(1f, d.inputs()[1]);
            assertEquals(0.2f, d.inputs()[2], 1e-7);
            assertArrayEquals(PIXELS, d.pixels());
        }
    }

    @Test
    void normalisesWithMeanAndStd() throws IOException {
        Path images = IdxFixtures.write(dir.resolve("i"), IdxFixtures.idx(new int[] {2, 2, 2}, PIXELS), false);
        Path labels = IdxFixtures.write(dir.resolve("l"), IdxFixtures.idx(new int[] {2}, new byte[] {1, 0}), false);
        LabeledImages d = LabeledImages.read(images, labels, new InputScaling(1 / 255.0, OptionalDouble.of(0.5), OptionalDouble.of(0.25)));
        assertEquals(2f, d.inputs()[1], 1e-6);
        assertEquals(-2f, d.inputs()[0], 1e-6);
    }

    @Test
    void slicesKeepInputsPixelsAndLabelsTogether() throws IOException {
        Path images = IdxFixtures.write(dir.resolve("i"), IdxFixtures.idx(new int[] {2, 2, 2}, PIXELS), false);
        Path labels = IdxFixtures.write(dir.resolve("l"), IdxFixtures.idx(new int[] {2}, new byte[] {1, 0}), false);
        LabeledImages s = LabeledImages.read(images, labels, InputScaling.UNIT).slice(1, 2);
        assertArrayEquals(new int[] {0}, s.labels());
        assertArrayEquals(Arrays.copyOfRange(PIXELS, 4, 8), s.pixels());
        assertEquals(2, s.classes());
    }

    @Test
    void refusesWrongMagicTruncationAndMismatchedCountsInOneSentenceNamingTheFile() throws IOException {
        Path images = IdxFixtures.write(dir.resolve("images.idx"), IdxFixtures.idx(new int[] {2, 2, 2}, PIXELS), false);
        Path labels3 = IdxFixtures.write(dir.resolve("three.idx"), IdxFixtures.idx(new int[] {3}, new byte[] {1, 0, 1}), false);
        Path text = IdxFixtures.write(dir.resolve("text.idx"), "hello world".getBytes(), false);
        byte[] whole = IdxFixtures.idx(new int[] {2, 2, 2}, PIXELS);
        Path cut = IdxFixtures.write(dir.resolve("cut.idx"), Arrays.copyOf(whole, whole.length - 3), true);
        assertMessage(() -> LabeledImages.read(images, labels3, InputScaling.UNIT), "three.idx", "3 labels");
        assertMessage(() -> LabeledImages.read(text, labels3, InputScaling.UNIT), "text.idx", "not an IDX image file");
        assertMessage(() -> LabeledImages.read(cut, labels3, InputScaling.UNIT), "cut.idx", "truncated");
        assertMessage(() -> LabeledImages.read(labels3, images, InputScaling.UNIT), "three.idx", "1 dimensions");
    }

    @Test
    void readsTheFashionMnistTestSplit() throws IOException {
        LabeledImages d = LabeledImages.read(SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                SharedFiles.file("data/fashion-mnist/t10k-labels-idx1-ubyte.gz"), InputScaling.UNIT);
        assertEquals(10_000, d.count());
        assertEquals(10, d.classes());
        assertEquals(InputShape.image(28, 28), d.shape());
        int[] perClass = new int[10];
        for (int l : d.labels()) perClass[l]++;
        for (int n : perClass) assertEquals(1000, n);
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable read, String file, String words) {
        IOException e = assertThrows(IOException.class, read);
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(words), e.getMessage());
        assertTrue(!e.getMessage().contains("Exception") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
