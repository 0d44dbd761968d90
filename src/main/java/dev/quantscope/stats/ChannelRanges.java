package dev.quantscope.stats;

/**
 * Per output channel (row, in the shape's 2-D view) minimum, maximum and absolute maximum.
 */
public record ChannelRanges(float[] min, float[] max, float[] absMax) {
    public ChannelRanges {
        min = min.clone();
        max = max.clone();
        absMax = absMax.clone();
    }

    @Override public float[] min() { return min.clone(); }
    @Override public float[] max() { return max.clone(); }
    @Override public float[] absMax() { return absMax.clone(); }

    public int channels() { return min.length; }
}
