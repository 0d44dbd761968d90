package dev.quantscope.stats;

import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * Statistics of any decodable tensor, from its elements decoded chunk by chunk into reusable float buffers.
 *
 * <ol>
 *   <li>Pass 1: count, min, max, zeros, non-finite count and the moments (mean, M2, M3, M4).</li>
 *   <li>Pass 2: outliers, which need the mean and σ, and a histogram of the top 16 bits of each value's
 *       {@linkplain SortableFloats sortable key}: it tells which 16-bit bucket holds each wanted order
 *       statistic.</li>
 *   <li>Pass 3: histograms of the low 16 bits within those few buckets, which pins every order statistic down
 *       exactly.</li>
 * </ol>
 * Percentiles are therefore exact: the same figures sorting the decoded floats would give.
 */
final class DecodedPasses {
    /** Elements per chunk: a multiple of every block size (1, 2, 4, 32, 256), and 128 KiB of floats. */
    static final int CHUNK = 32 * 1024;

    private static final int HALF = 1 << 16;

    /** Up to this many elements, percentiles come from sorting a decoded copy (see {@link #sortedTail}). */
    static final int SMALL = 1 << 16;

    private DecodedPasses() {}

    static int chunkFor(TensorInfo t) {
        int block = t.dtype().blockElements();
        return CHUNK % block == 0 ? CHUNK : Math.max(block, CHUNK / block * block);
    }

    static TensorStats stats(TensorInfo t, ElementDecoder decoder, ChunkRunner runner, ChunkRunner.Progress progress) {
        long n = t.parameters();
        int chunk = chunkFor(t);
        MemorySegment data = t.data();

        // ---- pass 1: moments and extremes
        Moments[] perChunk = new Moments[Math.toIntExact(Math.ceilDiv(n, (long) chunk))];
        List<MomentWorker> p1 = runner.run(n, chunk, () -> new MomentWorker(decoder, data, chunk, perChunk), progress);
        Moments moments = mergeInOrder(perChunk, 0, perChunk.length);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        long zeros = 0, nonFinite = 0;
        for (MomentWorker w : p1) {
            min = Math.min(min, w.min);
            max = Math.max(max, w.max);
            zeros += w.zeros;
            nonFinite += w.nonFinite;
        }
        long finite = moments.n;
        if (finite == 0) {
            progress.finish();
            return StatsAssembly.noFiniteValues(n, nonFinite);
        }
        StatsAssembly.Central central = StatsAssembly.central(moments, min, max);

        double threshold = central.outlierThreshold();
        if (n <= SMALL) return sortedTail(t, decoder, central, zeros, nonFinite, progress);

        // ---- pass 2: outliers and the high-half histogram of sortable keys
        progress.check();
        List<HighHalfWorker> p2 = runner.run(n, chunk,
                () -> new HighHalfWorker(decoder, data, chunk, central.mean(), threshold), progress);
        long[] high = new long[HALF];
        long outliers = 0;
        for (HighHalfWorker w : p2) {
            for (int i = 0; i < HALF; i++) high[i] += w.counts[i];
            outliers += w.outliers;
        }
        for (int i = 0; i < HALF; i++) if (SortableFloats.highHalfIsNonFinite(i)) high[i] = 0;

        // Which bucket holds each wanted rank, and the rank within the bucket.
        long[] ranks = wantedRanks(finite);
        int[] bucketOfRank = new int[ranks.length];
        long[] rankInBucket = new long[ranks.length];
        locate(high, ranks, bucketOfRank, rankInBucket);
        byte[] slotOf = new byte[HALF];
        Arrays.fill(slotOf, (byte) -1);
        int slots = 0;
        for (int b : bucketOfRank) if (slotOf[b] < 0) slotOf[b] = (byte) slots++;

        // ---- pass 3: low-half histograms inside the wanted buckets
        progress.check();
        int slotCount = slots;
        List<LowHalfWorker> p3 = runner.run(n, chunk,
                () -> new LowHalfWorker(decoder, data, chunk, slotOf, slotCount), progress);
        long[][] low = new long[slotCount][HALF];
        for (LowHalfWorker w : p3) {
            for (int s = 0; s < slotCount; s++) for (int i = 0; i < HALF; i++) low[s][i] += w.counts[s][i];
        }
        double[] orderStats = new double[ranks.length];
        for (int r = 0; r < ranks.length; r++) {
            long[] lowCounts = low[slotOf[bucketOfRank[r]]];
            int lo = bucketOf(lowCounts, rankInBucket[r]);
            orderStats[r] = SortableFloats.fromKey(bucketOfRank[r] << 16 | lo);
        }
        progress.finish();
        return StatsAssembly.assemble(n, nonFinite, central, zeros, outliers, percentiles(finite, ranks, orderStats));
    }

    /**
     * Outliers and percentiles of a small tensor by sorting its finite values: exact like the radix passes, but
     * without their 64 K-bucket tables, whose allocation and merging would dominate for norms and biases.
     */
    private static TensorStats sortedTail(TensorInfo t, ElementDecoder decoder, StatsAssembly.Central central,
                                          long zeros, long nonFinite, ChunkRunner.Progress progress) {
        progress.check();
        int n = (int) t.parameters();
        float[] all = new float[n];
        decoder.decode(t.data(), 0, all, 0, n);
        float[] finite = new float[(int) central.finite()];
        double threshold = central.outlierThreshold(), mean = central.mean();
        long outliers = 0;
        int k = 0;
        for (float v : all) {
            if (!Float.isFinite(v)) continue;
            finite[k++] = v;
            if (Math.abs(v - mean) > threshold) outliers++;
        }
        Arrays.sort(finite);
        long[] ranks = wantedRanks(finite.length);
        double[] orderStats = new double[ranks.length];
        for (int r = 0; r < ranks.length; r++) orderStats[r] = finite[(int) ranks[r]];
        progress.finish();
        return StatsAssembly.assemble(n, nonFinite, central, zeros, outliers, percentiles(finite.length, ranks, orderStats));
    }

    /**
     * Merges chunk moments pairwise in chunk order. The result then depends only on the data, not on which
     * thread happened to take which chunk: the same tensor always gives bit-identical figures.
     */
    static Moments mergeInOrder(Moments[] chunks, int from, int to) {
        if (to - from == 1) return chunks[from];
        if (to <= from) return new Moments();
        int mid = (from + to) >>> 1;
        Moments left = mergeInOrder(chunks, from, mid);
        Moments merged = new Moments();
        merged.merge(left);
        merged.merge(mergeInOrder(chunks, mid, to));
        return merged;
    }

    /** Every order statistic rank the percentile levels need, in level order (k, k+1 per level). */
    static long[] wantedRanks(long finite) {
        return Arrays.stream(Percentiles.LEVELS).mapToObj(p -> Percentiles.ranksNeeded(p, finite))
                .flatMapToLong(Arrays::stream).toArray();
    }

    /** Turns the order statistics of {@link #wantedRanks} into the percentile figures, in level order. */
    static double[] percentiles(long finite, long[] ranks, double[] orderStats) {
        double[] out = new double[Percentiles.LEVELS.length];
        int r = 0;
        for (int i = 0; i < out.length; i++) {
            double p = Percentiles.LEVELS[i];
            int needed = Percentiles.ranksNeeded(p, finite).length;
            double lower = orderStats[r];
            double upper = needed == 2 ? orderStats[r + 1] : lower;
            out[i] = Percentiles.interpolate(p, finite, lower, upper);
            r += needed;
        }
        return out;
    }

    private static void locate(long[] counts, long[] ranks, int[] bucket, long[] within) {
        for (int r = 0; r < ranks.length; r++) {
            long before = 0;
            int b = 0;
            while (before + counts[b] <= ranks[r]) before += counts[b++];
            bucket[r] = b;
            within[r] = ranks[r] - before;
        }
    }

    private static int bucketOf(long[] counts, long rank) {
        long before = 0;
        int b = 0;
        while (before + counts[b] <= rank) before += counts[b++];
        return b;
    }

    /** Histogram pass over decoded values; non-finite values are left out. */
    static Histogram histogram(TensorInfo t, ElementDecoder decoder, Binning binning, ChunkRunner runner,
                               ChunkRunner.Progress progress) {
        int chunk = chunkFor(t);
        MemorySegment data = t.data();
        List<BinWorker> ws = runner.run(t.parameters(), chunk,
                () -> new BinWorker(decoder, data, chunk, binning), progress);
        long[] counts = new long[binning.bins];
        for (BinWorker w : ws) for (int i = 0; i < counts.length; i++) counts[i] += w.counts[i];
        progress.finish();
        return new Histogram(binning.lo, binning.hi, counts);
    }

    // ---------------------------------------------------------------- workers

    private abstract static class DecodingWorker implements ChunkRunner.Worker {
        private final ElementDecoder decoder;
        private final MemorySegment data;
        final float[] buf;

        DecodingWorker(ElementDecoder decoder, MemorySegment data, int chunk) {
            this.decoder = decoder;
            this.data = data;
            this.buf = new float[chunk];
        }

        @Override
        public final void process(long first, int count) {
            decoder.decode(data, first, buf, 0, count);
            consume(first, count);
        }

        abstract void consume(long first, int count);
    }

    static final class MomentWorker extends DecodingWorker {
        /** Shared, but each chunk's slot is written by the one worker that took the chunk. */
        private final Moments[] perChunk;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        long zeros, nonFinite;

        MomentWorker(ElementDecoder d, MemorySegment data, int chunk, Moments[] perChunk) {
            super(d, data, chunk);
            this.perChunk = perChunk;
        }

        @Override
        void consume(long first, int count) {
            perChunk[(int) (first / buf.length)] = chunkMoments(count);
        }

        private Moments chunkMoments(int count) {
            float[] x = buf;
            double sum = 0;
            float mn = Float.POSITIVE_INFINITY, mx = Float.NEGATIVE_INFINITY;
            int z = 0, bad = 0;
            for (int i = 0; i < count; i++) {
                float v = x[i];
                if (!Float.isFinite(v)) { bad++; continue; }
                sum += v;
                if (v < mn) mn = v;
                if (v > mx) mx = v;
                if (v == 0) z++;
            }
            int finite = count - bad;
            nonFinite += bad;
            zeros += z;
            if (finite == 0) return new Moments();
            min = Math.min(min, mn);
            max = Math.max(max, mx);
            // Second loop over the cached chunk: sums of powers around the chunk's own mean.
            double c = sum / finite;
            double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
            if (bad == 0) {
                for (int i = 0; i < count; i++) {
                    double d = x[i] - c, d2 = d * d;
                    s1 += d; s2 += d2; s3 += d2 * d; s4 += d2 * d2;
                }
            } else {
                for (int i = 0; i < count; i++) {
                    if (!Float.isFinite(x[i])) continue;
                    double d = x[i] - c, d2 = d * d;
                    s1 += d; s2 += d2; s3 += d2 * d; s4 += d2 * d2;
                }
            }
            return Moments.ofCenteredSums(finite, c, s1, s2, s3, s4);
        }
    }

    static final class HighHalfWorker extends DecodingWorker {
        final long[] counts = new long[HALF];
        final double mean, threshold;
        long outliers;

        HighHalfWorker(ElementDecoder d, MemorySegment data, int chunk, double mean, double threshold) {
            super(d, data, chunk);
            this.mean = mean;
            this.threshold = threshold;
        }

        @Override
        void consume(long first, int count) {
            float[] x = buf;
            long[] h = counts;
            long out = 0;
            for (int i = 0; i < count; i++) {
                float v = x[i];
                h[SortableFloats.key(v) >>> 16]++;
                double dev = Math.abs(v - mean);
                // NaN compares false; an infinity is not an outlier but a non-finite value.
                if (dev > threshold && dev != Double.POSITIVE_INFINITY) out++;
            }
            outliers += out;
        }
    }

    static final class LowHalfWorker extends DecodingWorker {
        final byte[] slotOf;
        final long[][] counts;

        LowHalfWorker(ElementDecoder d, MemorySegment data, int chunk, byte[] slotOf, int slots) {
            super(d, data, chunk);
            this.slotOf = slotOf;
            this.counts = new long[slots][HALF];
        }

        @Override
        void consume(long first, int count) {
            float[] x = buf;
            for (int i = 0; i < count; i++) {
                int k = SortableFloats.key(x[i]);
                int s = slotOf[k >>> 16];
                if (s >= 0) counts[s][k & 0xFFFF]++;
            }
        }
    }

    static final class BinWorker extends DecodingWorker {
        final long[] counts;
        final Binning binning;

        BinWorker(ElementDecoder d, MemorySegment data, int chunk, Binning binning) {
            super(d, data, chunk);
            this.binning = binning;
            this.counts = new long[binning.bins];
        }

        @Override
        void consume(long first, int count) {
            float[] x = buf;
            for (int i = 0; i < count; i++) {
                float v = x[i];
                if (Float.isFinite(v)) counts[binning.binOf(v)]++;
            }
        }
    }
}
