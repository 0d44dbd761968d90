package dev.quantscope.app.prune;

import dev.quantscope.app.common.Numbers;
import dev.quantscope.prune.SparseLayoutSize;
import dev.quantscope.prune.SparseStorage;

import java.util.List;
import java.util.Optional;

/**
 * The size readout, said honestly: GGUF (and plain safetensors) store every pruned zero at full width, so the file
 * does not shrink; what the real mask would take in a sparse layout is shown beside it, per layout.
 */
final class SparseSizes {
    private SparseSizes() {}

    /** "GGUF has no sparse layout: …" for a plan of {@code fileBytes}, quantized by {@code after}. */
    static String dense(long fileBytes, AfterPruning after) {
        return switch (after) {
            case AfterPruning.Dense _ -> "GGUF has no sparse layout: the file is as big as the dense one ("
                    + Numbers.bytes(fileBytes) + ").";
            case AfterPruning.Quantized(var p) -> "GGUF has no sparse layout: the pruned " + p.name()
                    + " file is as big as the unpruned " + p.name() + " one (" + Numbers.bytes(fileBytes) + ").";
        };
    }

    /** The layouts of one or more masks, summed; 2:4 only when every mask allows it. */
    static String layouts(List<SparseStorage> storages) {
        if (storages.isEmpty()) return "";
        long dense = 0, bitmask = 0, indexed = 0, csr = 0;
        boolean twoFour = true;
        for (SparseStorage s : storages) {
            dense += s.denseBytes();
            bitmask += bytes(s, SparseLayoutSize.Bitmask.class).orElse(0L);
            csr += bytes(s, SparseLayoutSize.Csr.class).orElse(0L);
            Optional<Long> i = bytes(s, SparseLayoutSize.TwoFourIndexed.class);
            twoFour &= i.isPresent();
            indexed += i.orElse(0L);
        }
        return "dense " + Numbers.bytes(dense) + "  ·  sparse-bitmask " + share(bitmask, dense)
                + "  ·  2:4 with 2-bit indices " + (twoFour ? share(indexed, dense) : "(the mask is not 2:4)")
                + "  ·  CSR " + share(csr, dense);
    }

    private static String share(long bytes, long dense) {
        return Numbers.bytes(bytes) + " (" + Math.round(100.0 * bytes / Math.max(1, dense)) + " %)";
    }

    private static Optional<Long> bytes(SparseStorage s, Class<? extends SparseLayoutSize> kind) {
        return s.layouts().stream().filter(kind::isInstance).map(SparseLayoutSize::bytes).findFirst();
    }
}
