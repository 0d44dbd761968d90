package dev.quantscope.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Times given by hand (no clock): falling while the JIT compiles, then settled. */
class SteadyTimingTest {

    @Test
    void timesSettleOnceTheLastWindowLiesWithinTheSpreadAndTheTypicalOneIsTheirMedian() {
        SteadyTiming t = new SteadyTiming();
        assertTrue(Double.isNaN(t.typical()));
        for (long cold : new long[] {5_000, 2_000, 900, 300}) t.add(cold);
        assertFalse(t.steady(), "fewer times than the window");
        assertEquals((2_000 + 900) / 2.0, t.typical(), 1e-9, "the median of what there is");
        for (int i = 0; i < 7; i++) t.add(100 + i);
        assertFalse(t.steady(), "the window still holds a compiling time (300 against 100)");
        t.add(110);
        assertTrue(t.steady());
        assertEquals((103 + 104) / 2.0, t.typical(), 1e-9, "100…106 and 110: the middle two");
        t.add(1_000);
        assertFalse(t.steady(), "a time far off the others unsettles it again");
        for (int i = 0; i < 100; i++) t.add(50);
        assertEquals(113, t.count(), "more times than the first buffer holds");
        assertEquals(50, t.typical(), 1e-9);
    }
}
