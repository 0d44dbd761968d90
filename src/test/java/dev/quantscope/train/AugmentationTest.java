package dev.quantscope.train;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.ParameterTensor;
import dev.quantscope.train.optim.OptimizerSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentationTest {
    /** A 3×4 image of two channels whose pixel values say where they are: 100·channel + 10·row + column. */
    private static final InputShape SHAPE = new InputShape(2, 3, 4);

    private static float[] image() {
        float[] x = new float[SHAPE.features()];
        for (int c = 0; c < 2; c++) for (int y = 0; y < 3; y++) for (int xx = 0; xx < 4; xx++) x[c * 12 + y * 4 + xx] = 100 * c + 10 * y + xx;
        return x;
    }

    private static float[] apply(Augmentation.Draw d) {
        float[] out = new float[SHAPE.features() + 1];
        out[0] = -1; // an offset destination: nothing before it is written
        Augmentation.apply(d, image(), 0, SHAPE, out, 1);
        assertEquals(-1, out[0]);
        return Arrays.copyOfRange(out, 1, out.length);
    }

    @Test
    void theIdentityDrawCopiesTheImage() {
        assertArrayEquals(image(), apply(Augmentation.Draw.IDENTITY));
    }

    @Test
    void aShiftMovesTheContentAndRepeatsTheEdgeIntoTheBorder() {
        float[] right = apply(new Augmentation.Draw(1, 0, false));
        // row 0 of channel 0: the first column repeated, then columns 0..2
        assertArrayEquals(new float[] {0, 0, 1, 2}, Arrays.copyOfRange(right, 0, 4));
        assertArrayEquals(new float[] {120, 120, 121, 122}, Arrays.copyOfRange(right, 20, 24));
        float[] up = apply(new Augmentation.Draw(0, -1, false));
        assertArrayEquals(new float[] {10, 11, 12, 13}, Arrays.copyOfRange(up, 0, 4));
        assertArrayEquals(new float[] {20, 21, 22, 23}, Arrays.copyOfRange(up, 8, 12), "the last row repeated");
    }

    @Test
    void aFlipMirrorsEachRowAndComesBeforeTheShift() {
        float[] flipped = apply(new Augmentation.Draw(0, 0, true));
        assertArrayEquals(new float[] {3, 2, 1, 0}, Arrays.copyOfRange(flipped, 0, 4));
        assertArrayEquals(new float[] {113, 112, 111, 110}, Arrays.copyOfRange(flipped, 16, 20));
        float[] both = apply(new Augmentation.Draw(1, 0, true));
        assertArrayEquals(new float[] {3, 3, 2, 1}, Arrays.copyOfRange(both, 0, 4), "the mirror image, shifted right");
    }

    @Test
    void drawsStayWithinTheShiftAndFlipHalfTheTime() {
        Augmentation a = new Augmentation(2, true);
        SplittableRandom random = new SplittableRandom(3);
        int flips = 0;
        boolean[] seenDx = new boolean[5];
        for (int i = 0; i < 2000; i++) {
            Augmentation.Draw d = a.draw(random);
            assertTrue(Math.abs(d.dx()) <= 2 && Math.abs(d.dy()) <= 2, d.toString());
            seenDx[d.dx() + 2] = true;
            if (d.flip()) flips++;
        }
        for (boolean s : seenDx) assertTrue(s, "every shift from -2 to 2 is drawn");
        assertTrue(flips > 900 && flips < 1100, flips + " flips in 2000");
        assertEquals(Augmentation.Draw.IDENTITY, Augmentation.NONE.draw(new SplittableRandom(1)));
    }

    @Test
    void theSpecReadsBackAndMistakesAreRefusedInOneSentence() {
        assertEquals(Augmentation.NONE, Augmentation.parse("none"));
        assertEquals(new Augmentation(2, true), Augmentation.parse("shift:2,flip"));
        assertEquals(new Augmentation(0, true), Augmentation.parse(" flip "));
        for (Augmentation a : List.of(Augmentation.NONE, Augmentation.SHIFT_AND_FLIP, new Augmentation(3, false), new Augmentation(0, true))) {
            assertEquals(a, Augmentation.parse(a.spec()), a.spec());
        }
        assertEquals("\"rotate\" is not none, shift:N or flip.",
                assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("shift:1,rotate")).getMessage());
        assertEquals("\"shift:x\" needs a whole number of pixels, as in shift:2.",
                assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("shift:x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("shift:9"));
    }

    /** Augmented, a seeded run still repeats bit for bit on one thread or two, and differs from the plain run. */
    @Test
    void anAugmentedSeededRunRepeatsBitForBitAndDiffersFromThePlainOne() throws IOException {
        LabeledImages data = TrainerTest.fashionTest().slice(0, 200);
        Architecture a = Architecture.parse("conv:4,pool,fc:16", InputShape.image(28, 28), 10);
        List<Classifier> trained = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            Classifier model = Classifier.initialized(a, 5);
            TrainingSettings s = TrainerTest.settings(2, 32, OptimizerSettings.Adam.withWeightDecay(0), 0.002, 5, threads, 0, false)
                    .withAugmentation(Augmentation.SHIFT_AND_FLIP);
            new Trainer(s).fit(model, data, Optional.empty(), Trainer.crossEntropy(data), TrainingListener.NONE, () -> false);
            trained.add(model);
        }
        Classifier plain = Classifier.initialized(a, 5);
        new Trainer(TrainerTest.settings(2, 32, OptimizerSettings.Adam.withWeightDecay(0), 0.002, 5, 1, 0, false))
                .fit(plain, data, Optional.empty(), Trainer.crossEntropy(data), TrainingListener.NONE, () -> false);
        for (ParameterTensor p : a.parameters()) {
            assertArrayEquals(trained.get(0).tensor(p.name()), trained.get(1).tensor(p.name()), p.name());
        }
        assertFalse(Arrays.equals(plain.tensor("fc1.weight"), trained.get(0).tensor("fc1.weight")),
                "the augmented images change what is learnt");
    }
}
