package dev.quantscope.prune;

import java.util.Arrays;

/**
 * Which weights of a row-major {@code rows × cols} tensor stay: bit {@code row·cols + col} of {@code kept} (word
 * {@code i >>> 6}, bit {@code i & 63}) is set when that weight is kept, clear when it is pruned. The array is copied
 * in and out, so a mask is a value; it costs one bit per weight, a 32nd of the floats it describes.
 */
public record SparsityMask(int rows, int cols, long[] kept) {

    public SparsityMask {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("a mask needs at least one row and one column, got " + rows + " × " + cols);
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a mask covers at most " + Integer.MAX_VALUE + " weights, as a float array does, not " + rows + " × " + cols);
        }
        if (kept.length != words(size)) {
            throw new IllegalArgumentException("a " + rows + " × " + cols + " mask needs " + words(size) + " words of bits, got " + kept.length);
        }
        kept = kept.clone();
        // Stray bits past the last weight would count as kept weights that do not exist.
        if (size % 64 != 0 && kept[kept.length - 1] >>> (size % 64) != 0) {
            throw new IllegalArgumentException("a " + rows + " × " + cols + " mask has bits set beyond its " + size + " weights");
        }
    }

    /** Every weight kept. */
    public static SparsityMask allKept(int rows, int cols) {
        return new SparsityMask(rows, cols, allKeptBits((long) rows * cols));
    }

    /** What a pruned tensor keeps: every weight that is not exactly zero (so −0.0 counts as pruned and NaN as kept). */
    public static SparsityMask of(float[] w, int rows, int cols) {
        requireShape(w, rows, cols);
        long[] bits = new long[words(w.length)];
        for (int i = 0; i < w.length; i++) if (w[i] != 0) bits[i >>> 6] |= 1L << i;
        return new SparsityMask(rows, cols, bits);
    }

    @Override
    public long[] kept() { return kept.clone(); }

    public long size() { return (long) rows * cols; }

    public boolean isKept(int row, int col) { return isKept(row * cols + col); }

    /** Whether the weight at row-major position {@code index} stays. */
    public boolean isKept(int index) { return (kept[index >>> 6] & 1L << index) != 0; }

    public long keptCount() { return countKept(0, size()); }

    /** How many weights are pruned. */
    public long zeros() { return size() - keptCount(); }

    /** The pruned fraction, in [0, 1]. */
    public double sparsity() { return (double) zeros() / size(); }

    public int keptInRow(int row) { return (int) countKept((long) row * cols, (long) (row + 1) * cols); }

    public int zerosInRow(int row) { return cols - keptInRow(row); }

    /** The pruned count of every row, in row order. */
    public int[] zerosPerRow() {
        int[] zeros = new int[rows];
        for (int r = 0; r < rows; r++) zeros[r] = zerosInRow(r);
        return zeros;
    }

    /** How many of the {@code length} weights from {@code from} on stay (a run of one row, e.g. an N:M group). */
    public int keptIn(int from, int length) { return (int) countKept(from, (long) from + length); }

    /** Whether every group of {@code pattern.group()} consecutive weights of a row keeps at most {@code pattern.kept()}. */
    public boolean fits(SparsityPattern.NOfM pattern) {
        if (cols % pattern.group() != 0) return false;
        for (int start = 0; start < size(); start += pattern.group()) {
            if (keptIn(start, pattern.group()) > pattern.kept()) return false;
        }
        return true;
    }

    /** Sets every pruned weight of {@code w} to zero. */
    public void zeroPruned(float[] w) {
        requireShape(w, rows, cols);
        for (int i = 0; i < w.length; i++) if (!isKept(i)) w[i] = 0;
    }

    private long countKept(long from, long to) {
        long count = 0;
        for (long i = from; i < to; ) {
            int word = (int) (i >>> 6);
            int lo = (int) (i & 63);
            int hi = (int) Math.min(64, to - ((long) word << 6));
            long bits = kept[word] >>> lo;
            if (hi - lo < 64) bits &= (1L << (hi - lo)) - 1;
            count += Long.bitCount(bits);
            i = ((long) word << 6) + hi;
        }
        return count;
    }

    static int words(long size) { return (int) ((size + 63) >>> 6); }

    /** The bits of {@code size} weights all kept, for a pruner to clear with {@link #prune}. */
    static long[] allKeptBits(long size) {
        long[] bits = new long[words(size)];
        Arrays.fill(bits, -1L);
        if (size % 64 != 0) bits[bits.length - 1] = (1L << (size % 64)) - 1;
        return bits;
    }

    /** Marks the weight at row-major position {@code index} pruned in {@code bits}. */
    static void prune(long[] bits, int index) { bits[index >>> 6] &= ~(1L << index); }

    static void requireShape(float[] w, int rows, int cols) {
        if (rows < 1 || cols < 1 || w.length != (long) rows * cols) {
            throw new IllegalArgumentException("a tensor of " + rows + " × " + cols + " weights cannot hold " + w.length + " values");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparsityMask m && m.rows == rows && m.cols == cols && Arrays.equals(m.kept, kept);
    }

    @Override
    public int hashCode() { return 31 * (31 * rows + cols) + Arrays.hashCode(kept); }

    @Override
    public String toString() { return "SparsityMask[" + rows + " × " + cols + ", " + zeros() + " pruned]"; }
}
