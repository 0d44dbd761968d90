package dev.quantscope.quant.scheme;

/**
 * The scale units of a row-major {@code rows × rowLength} tensor under a {@link Granularity}, as contiguous index
 * ranges: unit {@code k} covers {@code [start(k), end(k))}.
 */
record Segments(Granularity granularity, int rows, int rowLength, int count) {

    static Segments of(Granularity g, int rows, int rowLength) {
        return new Segments(g, rows, rowLength, Math.toIntExact(g.units(rows, rowLength)));
    }

    int start(int k) {
        return switch (granularity) {
            case Granularity.PerTensor t -> 0;
            case Granularity.PerChannel c -> k * rowLength;
            case Granularity.Group g -> {
                int perRow = Math.ceilDiv(rowLength, g.size());
                yield (k / perRow) * rowLength + (k % perRow) * g.size();
            }
        };
    }

    int end(int k) {
        return switch (granularity) {
            case Granularity.PerTensor t -> rows * rowLength;
            case Granularity.PerChannel c -> (k + 1) * rowLength;
            case Granularity.Group g -> {
                int perRow = Math.ceilDiv(rowLength, g.size());
                int rowEnd = (k / perRow + 1) * rowLength;
                yield Math.min(start(k) + g.size(), rowEnd);
            }
        };
    }
}
