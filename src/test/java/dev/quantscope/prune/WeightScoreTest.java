package dev.quantscope.prune;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class WeightScoreTest {

    @Test
    void magnitudeIsTheAbsoluteValue() {
        float[] w = {-3, 0.5f, -0f, 2};
        assertArrayEquals(new float[]{3, 0.5f, 0, 2}, new WeightScore.Magnitude().all(w, 2, 2));
    }

    @Test
    void wandaMultipliesByTheColumnNorm() {
        float[] w = {-3, 0.5f, 1, /* */ 2, -1, 0};
        // squares 4, 9, 0.25: norms 2, 3, 0.5
        float[] scores = WeightScore.Wanda.ofColumnSquares(new float[]{4, 9, 0.25f}, 3).all(w, 2, 3);
        assertArrayEquals(new float[]{6, 1.5f, 0.5f, 4, 3, 0}, scores);
    }

    @Test
    void wandaRefusesSquaresThatDoNotFit() {
        var negative = assertThrows(IllegalArgumentException.class,
                () -> WeightScore.Wanda.ofColumnSquares(new float[]{1, -1}, 2));
        assertEquals("the column square of input column 1 is -1.0, not a finite number of at least zero", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightScore.Wanda.ofColumnSquares(new float[]{Float.NaN}, 1));
        assertThrows(IllegalArgumentException.class, () -> WeightScore.Wanda.ofColumnSquares(new float[3], 2));
    }

    @Test
    void keysOrderAsMagnitudes() {
        float[] ascending = {0, Float.MIN_VALUE, 1e-30f, 0.5f, 1, 65504, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (int i = 1; i < ascending.length; i++) {
            assertTrue(WeightScore.key(ascending[i - 1]) < WeightScore.key(ascending[i]), ascending[i - 1] + " < " + ascending[i]);
            assertEquals(WeightScore.key(ascending[i]), WeightScore.key(-ascending[i]), "the sign does not count");
        }
    }
}
