package dev.quantscope.prune;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One magnitude threshold across several tensors, so that together they reach an overall sparsity: exactly
 * round(sparsity · all their weights) of the smallest |w| are pruned, whichever tensor they lie in. It streams: the
 * tensors may be larger than the heap together, so each is read three times (twice at sparsity 0) through its {@link WeightStream} and
 * never held. The first two readings are an exact radix select over the float bits of |w| (a 65,536-entry histogram
 * of the high 16 bits, then one of the low 16 bits inside the bucket the target falls in); the third counts what the
 * threshold prunes in each tensor. Weights equal to the threshold are pruned in tensor order, then in index order,
 * until the count is met. One tensor alone is how {@link TensorPruner} prunes by magnitude, unstructured.
 */
public final class GlobalThreshold {
    private static final int BUCKETS = 1 << 16;

    private GlobalThreshold() {}

    /** Hands a tensor's weights to {@code sink}, block by block, the same values in the same order on every call. */
    @FunctionalInterface
    public interface WeightStream {
        void forEachBlock(BlockSink sink) throws IOException;
    }

    /** Receives {@code length} weights from {@code values[from]} on; it must not keep the array. */
    @FunctionalInterface
    public interface BlockSink {
        void accept(float[] values, int from, int length);
    }

    /** A tensor taking part, by the name the report gives it. */
    public record Source(String name, WeightStream weights) {}

    /** Where the cut falls overall, and in each tensor (in the order they were given). */
    public record Cut(float threshold, long pruned, long total, List<TensorCut> tensors) {
        public Cut {
            tensors = List.copyOf(tensors);
        }

        public double sparsity() { return (double) pruned / total; }
    }

    /**
     * What the cut prunes in one tensor: every |w| below {@code threshold}, and the first {@code tiesPruned} weights
     * (in index order) whose |w| equals it.
     */
    public record TensorCut(String name, long size, float threshold, long below, long tiesPruned) {
        public long pruned() { return below + tiesPruned; }

        public double sparsity() { return size == 0 ? 0 : (double) pruned() / size; }

        /** The mask of this tensor's cut, its weights held as {@code w} ({@code rows × cols}, the ones it was read as). */
        public SparsityMask mask(float[] w, int rows, int cols) {
            SparsityMask.requireShape(w, rows, cols);
            if (w.length != size) {
                throw new IllegalArgumentException("tensor " + name + " was read as " + size + " weights, not " + w.length);
            }
            int cut = WeightScore.key(threshold);
            long ties = tiesPruned;
            long[] kept = SparsityMask.allKeptBits(w.length);
            for (int i = 0; i < w.length; i++) {
                int key = WeightScore.key(w[i]);
                if (key < cut || key == cut && ties-- > 0) SparsityMask.prune(kept, i);
            }
            return new SparsityMask(rows, cols, kept);
        }

        /** Zeroes this tensor's cut in {@code w} and returns its mask. */
        public SparsityMask prune(float[] w, int rows, int cols) {
            SparsityMask mask = mask(w, rows, cols);
            mask.zeroPruned(w);
            return mask;
        }
    }

    /** The cut across {@code tensors} at {@code target}, reading each of them three times (twice when nothing is pruned). */
    public static Cut select(List<Source> tensors, SparsityPattern.Unstructured target) throws IOException {
        if (tensors.isEmpty()) throw new IllegalArgumentException("a global threshold needs at least one tensor");
        long[] sizes = new long[tensors.size()];
        long[] high = new long[BUCKETS];
        read(tensors, (t, key) -> {
            sizes[t]++;
            high[key >>> 16]++;
        });
        long total = 0;
        for (long size : sizes) total += size;
        if (total == 0) throw new IllegalArgumentException("the tensors chosen for a global threshold hold no weights");
        long pruned = Math.round(target.sparsity() * total);

        int threshold = 0; // nothing lies below |w| = 0, so with no ties allowed nothing is pruned
        if (pruned > 0) {
            Rank bucket = Rank.find(high, pruned);
            long[] low = new long[BUCKETS];
            long[] counted = new long[tensors.size()];
            read(tensors, (t, key) -> {
                counted[t]++;
                if (key >>> 16 == bucket.index()) low[key & 0xffff]++;
            });
            requireSameSizes(tensors, sizes, counted);
            threshold = bucket.index() << 16 | Rank.find(low, bucket.rank()).index();
        }

        long[] below = new long[tensors.size()];
        long[] equal = new long[tensors.size()];
        int cut = threshold;
        long[] counted = new long[tensors.size()];
        read(tensors, (t, key) -> {
            counted[t]++;
            if (key < cut) below[t]++;
            else if (key == cut) equal[t]++;
        });
        requireSameSizes(tensors, sizes, counted);

        long ties = pruned;
        for (long b : below) ties -= b;
        List<TensorCut> cuts = new ArrayList<>(tensors.size());
        for (int t = 0; t < tensors.size(); t++) {
            long tiesHere = Math.min(ties, equal[t]);
            ties -= tiesHere;
            cuts.add(new TensorCut(tensors.get(t).name(), sizes[t], Float.intBitsToFloat(cut), below[t], tiesHere));
        }
        return new Cut(Float.intBitsToFloat(cut), pruned, total, cuts);
    }

    /** The cut of one tensor held in memory. */
    static TensorCut select(float[] w, SparsityPattern.Unstructured target) {
        try {
            return select(List.of(new Source("tensor", sink -> sink.accept(w, 0, w.length))), target).tensors().getFirst();
        } catch (IOException e) {
            throw new AssertionError("an array is read without I/O", e);
        }
    }

    /** In a histogram, the bucket holding the {@code rank}-th smallest value (1-based), and its rank inside it. */
    private record Rank(int index, long rank) {
        static Rank find(long[] histogram, long rank) {
            long before = 0;
            for (int i = 0; i < histogram.length; i++) {
                if (before + histogram[i] >= rank) return new Rank(i, rank - before);
                before += histogram[i];
            }
            throw new IllegalStateException("a histogram of " + before + " values has no rank " + rank);
        }
    }

    @FunctionalInterface
    private interface KeyVisitor {
        void visit(int tensor, int key);
    }

    private static void read(List<Source> tensors, KeyVisitor visitor) throws IOException {
        for (int t = 0; t < tensors.size(); t++) {
            int tensor = t;
            tensors.get(t).weights().forEachBlock((values, from, length) -> {
                for (int i = from; i < from + length; i++) visitor.visit(tensor, WeightScore.key(values[i]));
            });
        }
    }

    private static void requireSameSizes(List<Source> tensors, long[] first, long[] again) {
        for (int t = 0; t < first.length; t++) {
            if (first[t] != again[t]) {
                throw new IllegalStateException("tensor " + tensors.get(t).name() + " gave " + first[t]
                        + " weights on one reading and " + again[t] + " on the next");
            }
        }
    }
}
