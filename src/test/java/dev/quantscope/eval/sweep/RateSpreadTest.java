package dev.quantscope.eval.sweep;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RateSpreadTest {

    @Test
    void quartilesInterpolateBetweenTheSortedRuns() {
        // numpy.percentile([10, 40, 20, 30, 50], [25, 75]) = [20, 40]
        RateSpread s = RateSpread.of(new double[] {10, 40, 20, 30, 50});
        assertEquals(20, s.lowerQuartile(), 1e-12);
        assertEquals(40, s.upperQuartile(), 1e-12);
        assertEquals(5, s.runs());
        // numpy.percentile([1, 2, 4], [25, 75]) = [1.5, 3.0]
        RateSpread three = RateSpread.of(new double[] {4, 1, 2});
        assertEquals(1.5, three.lowerQuartile(), 1e-12);
        assertEquals(3.0, three.upperQuartile(), 1e-12);
    }

    @Test
    void theHalfWidthIsRelativeToTheQuartilesMiddleAndStaysBelowOne() {
        assertEquals(0.1, new RateSpread(90, 110, 5).relativeHalfWidth(), 1e-12);
        // runs 20x apart, as a point timed while its kernels were still compiled: ±90 %, not ±1,000 %
        assertEquals(19.0 / 21.0, new RateSpread(10, 200, 15).relativeHalfWidth(), 1e-12);
        assertEquals(0, RateSpread.single(1234).relativeHalfWidth());
        assertEquals(0, new RateSpread(Double.NaN, Double.NaN, 3).relativeHalfWidth(), "a phase that did not run");
    }

    @Test
    void refusesWhatCannotBeASpread() {
        assertThrows(IllegalArgumentException.class, () -> new RateSpread(2, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> new RateSpread(1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> RateSpread.of(new double[0]));
    }
}
