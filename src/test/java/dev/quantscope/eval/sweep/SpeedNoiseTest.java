package dev.quantscope.eval.sweep;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule that keeps a speed front from being drawn from noise: fed numbers, nothing timed. */
class SpeedNoiseTest {

    /** A point whose generation speed's median and quartiles are given (tokens per second). */
    private static SweepPoint.Measured point(String id, double q1, double median, double q3, long bytes, double kld) {
        Latency l = new Latency(2 * median, median, 64, 16, 2, new RateSpread(2 * q1, 2 * q3, 15),
                new RateSpread(q1, q3, 15));
        return new SweepPoint.Measured(0, id, id, false, bytes, 8, l,
                new Accuracy(kld, kld, kld, kld, kld, 0.9, 10, 10, 1000, 8), false, 1);
    }

    @Test
    void speedsCloserThanTheirRunsScatterAreNoiseAndGetNoFront() {
        // ±10 % runs, medians 5 % apart: the order between them is an accident of timing.
        List<SweepPoint> points = List.of(point("Q6_K", 900, 1000, 1100, 300, 0.001),
                point("Q4_K_M", 945, 1050, 1155, 250, 0.04), point("Q2_K", 930, 1020, 1110, 200, 0.16));
        SpeedNoise n = SpeedNoise.of(points);
        assertTrue(n.withinNoise());
        assertEquals(0.1, n.noise(), 1e-12);
        assertEquals(3, n.points());
        assertEquals("Speed differences on this model are within measurement noise (±10 %)", n.note());
        assertEquals(List.of(), TradeOffs.latencyVsKld(points), "no front from noise");
        assertEquals(3, TradeOffs.sizeVsKld(points).size(), "size against KLD keeps its front");
    }

    @Test
    void speedsFartherApartThanTheirRunsScatterKeepTheirFront() {
        // ±5 % runs, medians 2x apart (far beyond the ±10 % band): the slow scheme is slower.
        List<SweepPoint> points = List.of(point("Q6_K", 475, 500, 525, 300, 0.001),
                point("Q2_K", 950, 1000, 1050, 200, 0.16));
        SpeedNoise n = SpeedNoise.of(points);
        assertFalse(n.withinNoise());
        assertEquals(0.05, n.noise(), 1e-12);
        assertEquals("", n.note());
        assertEquals(List.of("Q2_K", "Q6_K"), TradeOffs.latencyVsKld(points).stream().map(SweepPoint::schemeId).toList());
    }

    @Test
    void theWidestPointsBandDecides() {
        // Two tight points 30 % apart, and one whose runs scattered ±40 %: none of the three can be ranked.
        List<SweepPoint> points = List.of(point("a", 990, 1000, 1010, 300, 0.001),
                point("b", 1287, 1300, 1313, 250, 0.04), point("c", 660, 1100, 1540, 200, 0.16));
        SpeedNoise n = SpeedNoise.of(points);
        assertEquals(0.4, n.noise(), 1e-12);
        assertTrue(n.withinNoise(), "1300 × (1 - 0.8) lies below 1000 × (1 + 0.8)");
    }

    @Test
    void theBandsOfTheSlowestAndFastestPointDecide() {
        // Runs ±10 % each, so bands of ±20 %: 100 reaches up to 120, 149 down to 119.2 (noise), 151 to 120.8 (apart).
        assertTrue(SpeedNoise.of(List.of(point("a", 90, 100, 110, 1, 0.1), point("b", 134.1, 149, 163.9, 2, 0.01)))
                .withinNoise());
        assertFalse(SpeedNoise.of(List.of(point("a", 90, 100, 110, 1, 0.1), point("b", 135.9, 151, 166.1, 2, 0.01)))
                .withinNoise());
    }

    @Test
    void aSingleFigureOrASinglePointRanksNothingAsNoise() {
        // One point has nothing to be told apart from.
        assertFalse(SpeedNoise.of(List.of(point("a", 500, 1000, 1500, 1, 0.1))).withinNoise());
        // Single runs (a point from an old measurement, no spread): the medians decide.
        Latency single = new Latency(200, 100, 64, 16, 2);
        SweepPoint.Measured a = new SweepPoint.Measured(0, "a", "a", false, 1, 8, single,
                new Accuracy(0.1, 0.1, 0.1, 0.1, 0.1, 0.9, 10, 10, 1000, 8), false, 1);
        SweepPoint.Measured b = point("b", 150, 150, 150, 2, 0.01);
        assertEquals(0, single.generationSpread().relativeHalfWidth());
        assertFalse(SpeedNoise.of(List.of(a, b)).withinNoise());
        // Skipped points have no speed and are left out.
        SweepPoint skipped = new SweepPoint.Skipped(1, "Q8_0", "Q8_0", false, "rows of 172");
        assertEquals(1, SpeedNoise.of(List.of(a, skipped)).points());
    }
}
