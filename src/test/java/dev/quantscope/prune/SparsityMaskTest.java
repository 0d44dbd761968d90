package dev.quantscope.prune;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SparsityMaskTest {

    @Test
    void countsThePrunedWeightsOfAPrunedArray() {
        // 3 × 5: row 0 has two zeros (one of them −0.0), row 1 none, row 2 all five; NaN is not zero, so it stays
        float[] w = {1, 0, 2, -0f, 3, /* */ 4, 5, Float.NaN, 6, 7, /* */ 0, 0, 0, 0, 0};
        SparsityMask mask = SparsityMask.of(w, 3, 5);
        assertEquals(7, mask.zeros());
        assertEquals(8, mask.keptCount());
        assertEquals(7 / 15.0, mask.sparsity(), 1e-12);
        assertArrayEquals(new int[]{2, 0, 5}, mask.zerosPerRow());
        assertFalse(mask.isKept(0, 3));
        assertTrue(mask.isKept(1, 2));
    }

    @Test
    void countsRowsThatCrossWordBoundaries() {
        int rows = 7, cols = 45; // rows start mid-word
        float[] w = Reference.repeating(rows * cols, 2, 8);
        SparsityMask mask = SparsityMask.of(w, rows, cols);
        long total = 0;
        for (int r = 0; r < rows; r++) {
            int zeros = 0;
            for (int c = 0; c < cols; c++) if (w[r * cols + c] == 0) zeros++;
            assertEquals(zeros, mask.zerosInRow(r), "row " + r);
            total += zeros;
        }
        assertEquals(total, mask.zeros());
    }

    @Test
    void zeroesWhatItPrunesAndIsAValue() {
        float[] w = Reference.gaussian(130, 1, 9);
        w[3] = 0;
        w[129] = 0;
        SparsityMask mask = SparsityMask.of(w, 10, 13);
        float[] ones = new float[130];
        java.util.Arrays.fill(ones, 1);
        mask.zeroPruned(ones);
        assertEquals(mask, SparsityMask.of(ones, 10, 13));
        assertEquals(mask.hashCode(), SparsityMask.of(ones, 10, 13).hashCode());
        long[] bits = mask.kept();
        bits[0] = 0;
        assertTrue(mask.isKept(0), "the mask does not share its bits");
    }

    @Test
    void fitsNOfMOnlyWhenNoGroupKeepsMore() {
        float[] w = {1, 0, 2, 0, /* */ 0, 0, 0, 3};
        assertTrue(SparsityMask.of(w, 1, 8).fits(new SparsityPattern.NOfM(2, 4)));
        assertFalse(SparsityMask.of(w, 1, 8).fits(new SparsityPattern.NOfM(1, 4)));
        assertFalse(SparsityMask.of(new float[6], 1, 6).fits(new SparsityPattern.NOfM(2, 4)), "6 columns are no groups of 4");
    }

    @Test
    void refusesBitsBeyondItsWeights() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SparsityMask(3, 5, new long[]{1L << 15}));
        assertEquals("a 3 × 5 mask has bits set beyond its 15 weights", e.getMessage());
        assertEquals(15, SparsityMask.allKept(3, 5).keptCount());
        assertEquals(128, SparsityMask.allKept(2, 64).keptCount());
    }
}
