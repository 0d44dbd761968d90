package dev.quantscope.eval.sweep;

import java.util.List;
import java.util.OptionalDouble;

/**
 * A finished sweep.
 *
 * @param points      one per requested scheme in request order, each followed by its imatrix variant if any
 * @param modelSha256 digest of the base model's file (the cache key's first part)
 * @param textSha256  digest of the text's UTF-8 bytes
 * @param imatrixSha256 identity of the importance matrix the imatrix points were quantized with ("" for none)
 * @param parameters  the base model's parameter count
 * @param baseBytes   the base model's tensor bytes
 * @param computed    points measured in this run
 * @param cacheHits   points taken from the cache
 */
public record SweepResult(List<SweepPoint> points, String modelSha256, String textSha256, String imatrixSha256,
                          long parameters,
                          long baseBytes, int computed, int cacheHits) {

    public SweepResult {
        points = List.copyOf(points);
    }

    public List<SweepPoint.Measured> measured() {
        return points.stream().filter(p -> p instanceof SweepPoint.Measured).map(p -> (SweepPoint.Measured) p).toList();
    }

    public List<SweepPoint.Measured> sizeFront() { return TradeOffs.sizeVsKld(points); }

    /** Empty when {@link #speedNoise()} says the speeds cannot tell the points apart. */
    public List<SweepPoint.Measured> latencyFront() { return TradeOffs.latencyVsKld(points); }

    public SpeedNoise speedNoise() { return SpeedNoise.of(points); }

    public Recommendation recommend(long budgetBytes, OptionalDouble maxKld) {
        return DeviceFit.recommend(points, budgetBytes, maxKld);
    }
}
