package dev.quantscope.format.safetensors.sparse;

import java.util.Optional;

/**
 * The tensors that together store one sparse weight, found by their shared name prefix.
 *
 * @param denseName  the name of the dense tensor they stand for
 * @param compressed {@code prefix.compressed}: the kept values, in row-major order
 * @param bitmask    {@code prefix.bitmask}: one bit per dense element, rows padded to whole bytes
 * @param shape      {@code prefix.shape}: the dense shape, as integers
 * @param rowOffsets {@code prefix.row_offsets} (sparse-bitmask only): where each row's values start
 */
record CompressedWeight(String denseName, StoredTensor compressed, StoredTensor bitmask, StoredTensor shape,
                        Optional<StoredTensor> rowOffsets) {

    /** The layout the tensors themselves show: only sparse-bitmask writes row offsets. */
    SparseFormat layoutByParts() {
        return rowOffsets.isPresent() ? SparseFormat.SPARSE_BITMASK : SparseFormat.SPARSE_24_BITMASK;
    }
}
