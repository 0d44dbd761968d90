package dev.quantscope.prune;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SparseStorageTest {

    @Test
    void aTwoFourMaskInEveryLayout() {
        // 2 × 8, F16 (2 bytes a value). Row 0 keeps columns 0, 3, 5, 6; row 1 keeps 1 and 7: at most 2 of every 4,
        // so both 2:4 layouts apply. 6 of 16 kept.
        float[] w = {1, 0, 0, 1, 0, 1, 1, 0, /* */ 0, 1, 0, 0, 0, 0, 0, 1};
        SparseStorage storage = SparseStorage.of(SparsityMask.of(w, 2, 8), 2);

        assertEquals(32, storage.denseBytes()); // 16 × 2
        assertEquals(List.of(
                // 6 values × 2 = 12; bitmask 2 rows × ⌈8/8⌉ = 2 bytes; row_offsets 2 × int64 = 16; shape 2 × int64 = 16
                new SparseLayoutSize.Bitmask(12, 2, 16, 16),
                // every row stores cols/2 = 4 values: 8 × 2 = 16; bitmask 2; shape 16
                new SparseLayoutSize.TwoFourBitmask(16, 2, 16),
                // 8 value slots × 2 = 16; 8 × 2 bits = 16 bits = 2 bytes
                new SparseLayoutSize.TwoFourIndexed(16, 2),
                // 6 values × 2 = 12; 6 int32 column indices = 24; 3 int64 row pointers = 24
                new SparseLayoutSize.Csr(12, 24, 24)), storage.layouts());
        assertEquals(List.of(46L, 34L, 18L, 60L), storage.layouts().stream().map(SparseLayoutSize::bytes).toList());
        assertEquals("2:4-indexed", storage.smallest().id());
    }

    @Test
    void anUnstructuredMaskHasNoTwoFourLayouts() {
        // 3 × 10 with 12 kept (four a row), F16; rows of 10 do not split into fours
        float[] w = new float[30];
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) w[r * 10 + c * 2] = 1;
        SparseStorage storage = SparseStorage.of(SparsityMask.of(w, 3, 10), 2);

        assertEquals(60, storage.denseBytes()); // 30 × 2
        assertEquals(List.of(
                // 12 × 2 = 24; bitmask 3 rows × ⌈10/8⌉ = 6; row_offsets 3 × 8 = 24; shape 16: 70 in all
                new SparseLayoutSize.Bitmask(24, 6, 24, 16),
                // 24; 12 × 4 = 48; 4 × 8 = 32: 104, more than dense at 60 % sparsity
                new SparseLayoutSize.Csr(24, 48, 32)), storage.layouts());
        assertEquals("sparse-bitmask", storage.smallest().id());
    }

    @Test
    void aMaskKeepingThreeOfFourIsNotTwoFour() {
        float[] w = {1, 1, 1, 0, 1, 1, 0, 0};
        assertEquals(List.of("sparse-bitmask", "csr"),
                SparseStorage.of(SparsityMask.of(w, 1, 8), 1).layouts().stream().map(SparseLayoutSize::id).toList());
    }

    @Test
    void aLlamaSizedTwoFourMatrixTakesNineSixteenthsOfItsDenseF16() {
        // 4096 × 4096 at 2:4 (each group of 4 keeps its first two: bits 0b0011): 33,554,432 dense F16 bytes;
        // 2:4-indexed 16,777,216 of values + 2,097,152 of 2-bit indices = 18,874,368, 9/16 of dense
        long[] bits = new long[4096 * 4096 / 64];
        Arrays.fill(bits, 0x3333_3333_3333_3333L);
        SparseStorage storage = SparseStorage.of(new SparsityMask(4096, 4096, bits), 2);
        assertEquals(33_554_432L, storage.denseBytes());
        SparseLayoutSize indexed = storage.layouts().stream().filter(l -> l.id().equals("2:4-indexed")).findFirst().orElseThrow();
        assertEquals(18_874_368L, indexed.bytes());
        assertEquals(9 / 16.0, (double) indexed.bytes() / storage.denseBytes(), 1e-12);
    }

    @Test
    void refusesAValueOfNoBytes() {
        var e = assertThrows(IllegalArgumentException.class, () -> SparseStorage.of(SparsityMask.allKept(1, 4), 0));
        assertEquals("a stored value takes at least one byte, not 0", e.getMessage());
    }
}
