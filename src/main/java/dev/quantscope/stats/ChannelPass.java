package dev.quantscope.stats;

import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * Per-row minimum, maximum and absolute maximum over finite values (NaN for a row without any). Work is split
 * by whole rows, so each row's figures are written by exactly one worker; long rows are decoded in pieces.
 */
final class ChannelPass {
    private ChannelPass() {}

    static ChannelRanges compute(TensorInfo t, ElementDecoder decoder, ChunkRunner runner,
                                 ChunkRunner.Progress progress) {
        long rowsL = t.shape().rows();
        long rowLength = t.shape().rowLength();
        if (rowsL > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(t.name() + ": too many rows (" + rowsL + ")");
        int block = t.dtype().blockElements();
        if (rowLength % block != 0) {
            throw new IllegalArgumentException(t.name() + ": rows of " + rowLength + " elements do not hold whole "
                    + t.dtype() + " blocks of " + block);
        }
        int rows = (int) rowsL;
        float[] min = new float[rows], max = new float[rows], absMax = new float[rows];
        int piece = DecodedPasses.chunkFor(t);
        int rowsPerUnit = (int) Math.max(1, piece / Math.max(1, rowLength));
        MemorySegment data = t.data();
        runner.run(rows, rowsPerUnit, () -> new RowWorker(decoder, data, piece, rowLength, min, max, absMax),
                progress, rowLength);
        progress.finish();
        return new ChannelRanges(min, max, absMax);
    }

    private static final class RowWorker implements ChunkRunner.Worker {
        private final ElementDecoder decoder;
        private final MemorySegment data;
        private final float[] buf;
        private final long rowLength;
        private final float[] min, max, absMax;

        RowWorker(ElementDecoder decoder, MemorySegment data, int piece, long rowLength,
                  float[] min, float[] max, float[] absMax) {
            this.decoder = decoder;
            this.data = data;
            this.buf = new float[piece];
            this.rowLength = rowLength;
            this.min = min;
            this.max = max;
            this.absMax = absMax;
        }

        @Override
        public void process(long firstRow, int rowCount) {
            for (int r = (int) firstRow; r < firstRow + rowCount; r++) {
                float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
                long start = r * rowLength;
                for (long done = 0; done < rowLength; ) {
                    int n = (int) Math.min(buf.length, rowLength - done);
                    decoder.decode(data, start + done, buf, 0, n);
                    for (int i = 0; i < n; i++) {
                        float v = buf[i];
                        if (!Float.isFinite(v)) continue;
                        if (v < mn) mn = v;
                        if (v > mx) mx = v;
                    }
                    done += n;
                }
                boolean any = mn <= mx;
                min[r] = any ? mn : Float.NaN;
                max[r] = any ? mx : Float.NaN;
                absMax[r] = any ? Math.max(Math.abs(mn), Math.abs(mx)) : Float.NaN;
            }
        }
    }
}
