package dev.quantscope.app.explorer;

import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

/**
 * Builds a {@link Heatmap} no larger than the view. Only the sampled rows are decoded, chunk by chunk, so the heap
 * never holds more than one chunk of a tensor whatever its size. Within a row, columns are pooled by largest
 * magnitude rather than averaged: averaging would hide exactly the outlier weights a quantizer cares about.
 */
public final class HeatmapSampler {
    /** Elements decoded at a time; rows longer than this are streamed. */
    private static final int CHUNK = 1 << 16;

    private HeatmapSampler() {}

    public static Heatmap sample(TensorInfo t, int maxWidth, int maxHeight, ProgressMonitor monitor) {
        if (maxWidth < 1 || maxHeight < 1) throw new IllegalArgumentException("view size must be positive");
        ElementDecoder decoder = Decoders.find(t.dtype()).orElseThrow(() -> new UnsupportedOperationException(
                t.dtype() + " tensors cannot be decoded yet"));
        long rows = t.shape().rows();
        long rowLength = t.shape().rowLength();
        if (rows == 0 || rowLength == 0) throw new IllegalArgumentException(t.name() + " has no elements");
        int block = t.dtype().blockElements();
        if (rowLength % block != 0) {
            throw new IllegalArgumentException(t.name() + ": rows of " + rowLength + " are not whole "
                    + t.dtype() + " blocks");
        }
        int height = (int) Math.min(rows, maxHeight);
        int width = (int) Math.min(rowLength, maxWidth);
        float[] values = new float[Math.multiplyExact(height, width)];
        long[] colIndex = new long[values.length];
        long[] rowIndex = new long[height];
        float[] best = new float[width];
        int chunk = Math.max(block, CHUNK / block * block);
        float[] buf = new float[(int) Math.min(chunk, rowLength)];
        float scale = 0;

        for (int y = 0; y < height; y++) {
            monitor.checkCancelled();
            long row = Math.multiplyExact((long) y, rows) / height;
            rowIndex[y] = row;
            int base = y * width;
            java.util.Arrays.fill(best, -1f);
            java.util.Arrays.fill(values, base, base + width, Float.NaN);
            long first = Math.multiplyExact(row, rowLength);
            for (long col = 0; col < rowLength; col += buf.length) {
                int n = (int) Math.min(buf.length, rowLength - col);
                decoder.decode(t.data(), Math.addExact(first, col), buf, 0, n);
                for (int i = 0; i < n; i++) {
                    float v = buf[i];
                    float a = Math.abs(v);
                    if (!Float.isFinite(v)) continue;
                    long c = col + i;
                    int x = (int) (c * width / rowLength);
                    if (a > best[x]) {
                        best[x] = a;
                        values[base + x] = v;
                        colIndex[base + x] = c;
                    }
                }
            }
            for (int x = 0; x < width; x++) scale = Math.max(scale, best[x]);
            monitor.progress(y + 1, height);
        }
        return new Heatmap(rows, rowLength, height, width, values, rowIndex, colIndex, scale > 0 ? scale : 1f);
    }
}
