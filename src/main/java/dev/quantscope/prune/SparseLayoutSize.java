package dev.quantscope.prune;

/**
 * What one pruned tensor takes in a sparse storage layout, part by part, in bytes. GGUF has no sparse layout, so
 * these are what a pruned tensor would cost where one exists; {@link SparseStorage} lists the ones a mask allows.
 * Every figure counts the stored arrays only (no file header), with values {@code valueBytes} wide (2 for F16/BF16,
 * 1 for FP8/INT8, 4 for F32).
 */
public sealed interface SparseLayoutSize {

    /** The layout's name, as compressed-tensors or the GUI writes it. */
    String id();

    long bytes();

    /**
     * compressed-tensors' {@code sparse-bitmask}: {@code compressed}, the kept values, row by row; {@code bitmask},
     * the dense shape's mask as uint8, 8 weights a byte, each row padded to whole bytes (rows × ⌈cols/8⌉);
     * {@code row_offsets}, where each row's values start, one int64 per row; {@code shape}, two int64.
     */
    record Bitmask(long values, long bitmask, long rowOffsets, long shape) implements SparseLayoutSize {
        static Bitmask of(SparsityMask mask, int valueBytes) {
            return new Bitmask(mask.keptCount() * valueBytes, maskBytes(mask), (long) mask.rows() * Long.BYTES, 2L * Long.BYTES);
        }

        @Override
        public String id() { return "sparse-bitmask"; }

        @Override
        public long bytes() { return values + bitmask + rowOffsets + shape; }
    }

    /**
     * compressed-tensors' {@code sparse-24-bitmask}: {@code compressed}, rows × cols/2 values (it keeps the two
     * largest of every four, so a group with fewer non-zeros still stores two); {@code bitmask} as in
     * {@link Bitmask}; {@code shape}, two int64. No row offsets: every row holds cols/2 values.
     */
    record TwoFourBitmask(long values, long bitmask, long shape) implements SparseLayoutSize {
        static TwoFourBitmask of(SparsityMask mask, int valueBytes) {
            return new TwoFourBitmask(mask.size() / 2 * valueBytes, maskBytes(mask), 2L * Long.BYTES);
        }

        @Override
        public String id() { return "sparse-24-bitmask"; }

        @Override
        public long bytes() { return values + bitmask + shape; }
    }

    /**
     * 2:4 as NVIDIA's sparse tensor cores take it (cuSPARSELt, for 16- and 8-bit values): the two kept values of
     * every four, and per kept value 2 bits giving its place in the group (4 bits a group). The shape travels with
     * the kernel, not the data.
     */
    record TwoFourIndexed(long values, long indices) implements SparseLayoutSize {
        static TwoFourIndexed of(SparsityMask mask, int valueBytes) {
            long keptSlots = mask.size() / 2;
            return new TwoFourIndexed(keptSlots * valueBytes, (keptSlots * 2 + 7) / 8);
        }

        @Override
        public String id() { return "2:4-indexed"; }

        @Override
        public long bytes() { return values + indices; }
    }

    /**
     * Compressed sparse rows: the kept values; an int32 column index per kept value; rows + 1 int64 row pointers
     * (int64 so a tensor of more than 2³¹ kept weights still fits).
     */
    record Csr(long values, long columnIndices, long rowPointers) implements SparseLayoutSize {
        static Csr of(SparsityMask mask, int valueBytes) {
            long kept = mask.keptCount();
            return new Csr(kept * valueBytes, kept * Integer.BYTES, (mask.rows() + 1L) * Long.BYTES);
        }

        @Override
        public String id() { return "csr"; }

        @Override
        public long bytes() { return values + columnIndices + rowPointers; }
    }

    private static long maskBytes(SparsityMask mask) { return (long) mask.rows() * ((mask.cols() + 7) / 8); }
}
