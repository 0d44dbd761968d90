package dev.quantscope.stats;

import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * The fast path for element types of one or two bytes per element (F16, BF16, 8-bit floats and integers):
 * such a tensor holds at most 65,536 distinct values, so one pass that only counts raw codes — no decoding —
 * yields the whole distribution exactly. Every statistic, percentile and histogram then comes from the code table
 * in microseconds, with the values given by the dtype's own decoder (so both paths agree on every value).
 */
final class CodeTablePath {
    private static final int CHUNK = 64 * 1024;

    private CodeTablePath() {}

    static boolean applies(DType t) {
        return t.blockElements() == 1 && (t.blockBytes() == 1 || t.blockBytes() == 2) && Decoders.find(t).isPresent();
    }

    /** How many of each code the tensor holds, and what each code decodes to. */
    record CodeTable(long[] counts, float[] values) {}

    static CodeTable count(TensorInfo t, ChunkRunner runner, ChunkRunner.Progress progress) {
        DType type = t.dtype();
        int width = type.blockBytes();
        MemorySegment data = t.data();
        List<? extends CountingWorker> ws = width == 2
                ? runner.run(t.parameters(), CHUNK, () -> new ShortCounter(data), progress)
                : runner.run(t.parameters(), CHUNK, () -> new ByteCounter(data), progress);
        long[] counts = new long[1 << (8 * width)];
        for (CountingWorker w : ws) for (int i = 0; i < counts.length; i++) counts[i] += w.counts[i];
        return new CodeTable(counts, valuesOf(type));
    }

    /** Every code of the type, decoded by the type's decoder. */
    static float[] valuesOf(DType type) {
        ElementDecoder d = Decoders.find(type).orElseThrow();
        int width = type.blockBytes();
        int codes = 1 << (8 * width);
        byte[] all = new byte[codes * width];
        for (int c = 0; c < codes; c++) {
            all[c * width] = (byte) c;
            if (width == 2) all[c * width + 1] = (byte) (c >>> 8); // little-endian
        }
        float[] values = new float[codes];
        d.decode(MemorySegment.ofArray(all), 0, values, 0, codes);
        return values;
    }

    static TensorStats stats(long count, CodeTable table) {
        long[] counts = table.counts();
        float[] values = table.values();
        long finite = 0, nonFinite = 0, zeros = 0;
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < counts.length; c++) {
            long k = counts[c];
            if (k == 0) continue;
            float v = values[c];
            if (!Float.isFinite(v)) { nonFinite += k; continue; }
            finite += k;
            sum += k * (double) v;
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (v == 0) zeros += k;
        }
        if (finite == 0) return StatsAssembly.noFiniteValues(count, nonFinite);
        double center = sum / finite;
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        for (int c = 0; c < counts.length; c++) {
            long k = counts[c];
            if (k == 0 || !Float.isFinite(values[c])) continue;
            double d = values[c] - center, d2 = d * d;
            s1 += k * d; s2 += k * d2; s3 += k * d2 * d; s4 += k * d2 * d2;
        }
        StatsAssembly.Central central = StatsAssembly.central(
                Moments.ofCenteredSums(finite, center, s1, s2, s3, s4), min, max);
        double threshold = central.outlierThreshold();
        long outliers = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] != 0 && Math.abs(values[c] - central.mean()) > threshold && Float.isFinite(values[c])) {
                outliers += counts[c];
            }
        }

        // Codes present, in value order: sortable key in the high bits, the code in the low 16.
        long[] order = new long[counts.length];
        int present = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] != 0 && Float.isFinite(values[c])) {
                order[present++] = Integer.toUnsignedLong(SortableFloats.key(values[c])) << 16 | c;
            }
        }
        Arrays.sort(order, 0, present);
        long[] ranks = DecodedPasses.wantedRanks(finite);
        double[] orderStats = new double[ranks.length];
        for (int r = 0; r < ranks.length; r++) {
            long before = 0;
            int i = 0;
            while (before + counts[(int) (order[i] & 0xFFFF)] <= ranks[r]) before += counts[(int) (order[i++] & 0xFFFF)];
            orderStats[r] = values[(int) (order[i] & 0xFFFF)];
        }
        return StatsAssembly.assemble(count, nonFinite, central, zeros, outliers,
                DecodedPasses.percentiles(finite, ranks, orderStats));
    }

    static Histogram histogram(CodeTable table, Binning binning) {
        long[] out = new long[binning.bins];
        long[] counts = table.counts();
        float[] values = table.values();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] != 0 && Float.isFinite(values[c])) out[binning.binOf(values[c])] += counts[c];
        }
        return new Histogram(binning.lo, binning.hi, out);
    }

    // ---------------------------------------------------------------- workers

    private abstract static class CountingWorker implements ChunkRunner.Worker {
        final long[] counts;
        final MemorySegment data;

        CountingWorker(MemorySegment data, int codes) {
            this.data = data;
            this.counts = new long[codes];
        }
    }

    private static final class ShortCounter extends CountingWorker {
        private final short[] buf = new short[CHUNK];

        ShortCounter(MemorySegment data) { super(data, 1 << 16); }

        @Override
        public void process(long first, int count) {
            MemorySegment.copy(data, Layouts.I16, first * 2, buf, 0, count);
            short[] b = buf;
            long[] h = counts;
            for (int i = 0; i < count; i++) h[b[i] & 0xFFFF]++;
        }
    }

    private static final class ByteCounter extends CountingWorker {
        private final byte[] buf = new byte[CHUNK];

        ByteCounter(MemorySegment data) { super(data, 1 << 8); }

        @Override
        public void process(long first, int count) {
            MemorySegment.copy(data, Layouts.I8, first, buf, 0, count);
            byte[] b = buf;
            long[] h = counts;
            for (int i = 0; i < count; i++) h[b[i] & 0xFF]++;
        }
    }
}
