package dev.quantscope.eval.sweep;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recommendation and Pareto logic on made-up points. */
class DeviceFitTest {

    private static SweepPoint.Measured point(int index, String id, long bytes, double kld, double tg) {
        Latency l = new Latency(10 * tg, tg, 64, 16, 2);
        Accuracy a = new Accuracy(kld, kld / 2, kld * 2, kld * 4, kld * 10, 1 - kld, 10 + kld, 10, 1000, 10);
        return new SweepPoint.Measured(index, id, id, false, bytes, bytes * 8.0 / 1_000_000, l, a, false, 1);
    }

    private static final SweepPoint.Measured Q8 = point(0, "Q8_0", 1_060_000, 0.0005, 40);
    private static final SweepPoint.Measured Q6 = point(1, "Q6_K", 820_000, 0.0015, 45);
    private static final SweepPoint.Measured Q4 = point(2, "Q4_K_M", 600_000, 0.04, 60);
    private static final SweepPoint.Measured Q3 = point(3, "Q3_K_M", 480_000, 0.13, 50);
    private static final SweepPoint.Measured Q2 = point(4, "Q2_K", 420_000, 0.16, 55);
    private static final SweepPoint.Skipped Q40 = new SweepPoint.Skipped(5, "Q4_0", "Q4_0", false, "rows of 172 do not fit");
    private static final List<SweepPoint> ALL = List.of(Q8, Q6, Q4, Q3, Q2, Q40);

    @Test
    void picksTheMostAccurateThatFits() {
        Recommendation r = DeviceFit.recommend(ALL, 900_000, OptionalDouble.empty());
        assertEquals(Q6, r.choice().orElseThrow());
        assertEquals(2, r.excluded().size());
        assertEquals(Recommendation.Reason.TOO_LARGE, r.excluded().get(0).reason());
        assertEquals(Q8, r.excluded().get(0).point());
        assertEquals(Recommendation.Reason.NOT_MEASURED, r.excluded().get(1).reason());
        assertTrue(r.explanation().startsWith("Q6_K fits in"), r.explanation());
        assertTrue(r.explanation().contains("4 schemes"), r.explanation());
        assertTrue(r.explanation().contains("Q8_0 (too large"), r.explanation());
        assertTrue(r.explanation().contains("Q4_0 (not measured: rows of 172"), r.explanation());
    }

    @Test
    void aKldLimitExcludesTheInaccurateAndCanLeaveNothing() {
        Recommendation r = DeviceFit.recommend(ALL, 500_000, OptionalDouble.of(0.15));
        assertEquals(Q3, r.choice().orElseThrow());
        assertTrue(r.excluded().stream().anyMatch(e -> e.point() == Q2 && e.reason() == Recommendation.Reason.TOO_INACCURATE));

        Recommendation none = DeviceFit.recommend(ALL, 450_000, OptionalDouble.of(0.15));
        assertTrue(none.choice().isEmpty());
        assertTrue(none.explanation().startsWith("Nothing fits in"), none.explanation());
        assertTrue(none.explanation().contains("Q2_K"), none.explanation());

        Recommendation tooSmall = DeviceFit.recommend(ALL, 100_000, OptionalDouble.empty());
        assertTrue(tooSmall.choice().isEmpty());
        assertTrue(tooSmall.explanation().contains("the smallest measured scheme, Q2_K"), tooSmall.explanation());
    }

    @Test
    void tiesGoToTheSmallerThenTheFaster() {
        SweepPoint.Measured a = point(0, "a", 700_000, 0.02, 30);
        SweepPoint.Measured b = point(1, "b", 650_000, 0.02 + 1e-9, 20);
        SweepPoint.Measured c = point(2, "c", 650_000, 0.02, 25);
        assertEquals(c, DeviceFit.recommend(List.of(a, b, c), 1_000_000, OptionalDouble.empty()).choice().orElseThrow());
        // Clearly more accurate beats smaller.
        SweepPoint.Measured d = point(3, "d", 690_000, 0.019, 10);
        assertEquals(d, DeviceFit.recommend(List.of(a, b, c, d), 1_000_000, OptionalDouble.empty()).choice().orElseThrow());
    }

    @Test
    void paretoFrontsDropDominatedPoints() {
        // Q3_K_M is smaller than Q4_K_M and closer than Q2_K: on the size front. Nothing dominates it.
        assertEquals(List.of(Q2, Q3, Q4, Q6, Q8), TradeOffs.sizeVsKld(ALL));
        // By speed: Q4_K_M is the fastest and closer than Q2_K and Q3_K_M, which are both slower: they drop out.
        assertEquals(List.of(Q4, Q6, Q8), TradeOffs.latencyVsKld(ALL));
        SweepPoint.Measured worse = point(6, "worse", 900_000, 0.05, 30);
        assertTrue(!TradeOffs.sizeVsKld(List.of(Q4, worse)).contains(worse));
    }

    @Test
    void parsesMemorySizes() {
        assertEquals(100_000_000, DeviceFit.parseBytes("100MB"));
        assertEquals(1_610_612_736L, DeviceFit.parseBytes("1.5GiB"));
        assertEquals(512L << 20, DeviceFit.parseBytes("512M"));
        assertEquals(4096, DeviceFit.parseBytes("4096"));
        assertEquals(2_000, DeviceFit.parseBytes("2 kb"));
        assertThrows(IllegalArgumentException.class, () -> DeviceFit.parseBytes("lots"));
        assertThrows(IllegalArgumentException.class, () -> DeviceFit.parseBytes("99999999999TB"));
        assertThrows(IllegalArgumentException.class, () -> DeviceFit.recommend(ALL, 0, OptionalDouble.empty()));
    }
}
