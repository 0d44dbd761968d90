package dev.quantscope.app.explorer;

/**
 * A downsampled picture of a tensor's 2-D view. Cell (y, x) stands for source row {@code rowIndex[y]} and the
 * columns of bucket x; it holds the value of largest magnitude in that bucket, whose column is {@code colIndex}.
 *
 * @param rows      the tensor's row count
 * @param rowLength the tensor's row length
 * @param height    sampled rows
 * @param width     column buckets
 * @param values    height × width values, row-major (NaN when a bucket held no finite value)
 * @param rowIndex  source row of each sampled row
 * @param colIndex  source column of each cell's value
 * @param scale     largest magnitude among the cells: the colour map's ±limit
 */
public record Heatmap(long rows, long rowLength, int height, int width, float[] values, long[] rowIndex,
                      long[] colIndex, float scale) {

    public float value(int y, int x) { return values[y * width + x]; }

    public long sourceRow(int y) { return rowIndex[y]; }

    public long sourceColumn(int y, int x) { return colIndex[y * width + x]; }

    /** Whether every row and column is shown (no downsampling). */
    public boolean isExact() { return height == rows && width == rowLength; }
}
