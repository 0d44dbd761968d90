package dev.quantscope.eval.sweep;

import dev.quantscope.quant.preview.Pareto;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The Pareto fronts of a sweep: the measured points no other point beats on both size (or latency) and mean KL
 * divergence. Built on {@link Pareto}, the same front the compress page draws for size versus tensor error.
 */
public final class TradeOffs {
    private TradeOffs() {}

    /** Smaller and closer to the base: by increasing size. */
    public static List<SweepPoint.Measured> sizeVsKld(List<? extends SweepPoint> points) {
        return front(points, p -> p.bytes());
    }

    /**
     * Faster generation and closer to the base: by increasing seconds per generated token. Empty when the speeds
     * are within measurement noise ({@link SpeedNoise}): a front from them would rank the accidents of timing.
     */
    public static List<SweepPoint.Measured> latencyVsKld(List<? extends SweepPoint> points) {
        if (SpeedNoise.of(points).withinNoise()) return List.of();
        return front(points, p -> p.latency().secondsPerToken());
    }

    private static List<SweepPoint.Measured> front(List<? extends SweepPoint> points,
                                                   ToDoubleFunction<SweepPoint.Measured> axis) {
        List<Pareto.Point<SweepPoint.Measured>> candidates = new ArrayList<>();
        for (SweepPoint p : points) {
            if (p instanceof SweepPoint.Measured m) {
                candidates.add(new Pareto.Point<>(m, axis.applyAsDouble(m), m.accuracy().kldMean()));
            }
        }
        return Pareto.front(candidates).stream().map(Pareto.Point::item).toList();
    }
}
