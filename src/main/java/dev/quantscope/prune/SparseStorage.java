package dev.quantscope.prune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a pruned tensor takes dense and in each sparse layout its mask allows (the 2:4 layouts only when every group
 * of four in a row keeps at most two). Computed from the mask itself, so the kept count is the real one; take the
 * mask of the pruned weights ({@link SparsityMask#of}) for what compressed-tensors would write, since it stores only
 * non-zero values.
 */
public record SparseStorage(long denseBytes, List<SparseLayoutSize> layouts) {
    private static final SparsityPattern.NOfM TWO_FOUR = new SparsityPattern.NOfM(2, 4);

    public SparseStorage {
        layouts = List.copyOf(layouts);
    }

    /** The sizes of {@code mask}'s tensor with values {@code valueBytes} wide (2 for F16). */
    public static SparseStorage of(SparsityMask mask, int valueBytes) {
        if (valueBytes < 1) throw new IllegalArgumentException("a stored value takes at least one byte, not " + valueBytes);
        List<SparseLayoutSize> layouts = new ArrayList<>();
        layouts.add(SparseLayoutSize.Bitmask.of(mask, valueBytes));
        if (mask.fits(TWO_FOUR)) {
            layouts.add(SparseLayoutSize.TwoFourBitmask.of(mask, valueBytes));
            layouts.add(SparseLayoutSize.TwoFourIndexed.of(mask, valueBytes));
        }
        layouts.add(SparseLayoutSize.Csr.of(mask, valueBytes));
        return new SparseStorage(mask.size() * valueBytes, layouts);
    }

    /** The layout that takes the fewest bytes. */
    public SparseLayoutSize smallest() {
        return layouts.stream().min(Comparator.comparingLong(SparseLayoutSize::bytes)).orElseThrow();
    }
}
