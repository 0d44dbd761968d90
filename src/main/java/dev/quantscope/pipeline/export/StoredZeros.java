package dev.quantscope.pipeline.export;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.prune.PrunedTensor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sparsity that survives quantization, read back from the written file: K-quants and Q4_1 store a block's
 * values as scale·code − minimum, so a pruned zero decodes to a small non-zero value unless the minimum is exactly
 * representable. Counted on what a reader of the file gets.
 */
final class StoredZeros {
    private StoredZeros() {}

    /** {@code pruned} with each tensor's zeros in {@code written}'s file, where its values can be decoded. */
    static List<PrunedTensor> measure(ExportResult written, List<PrunedTensor> pruned) throws IOException {
        List<PrunedTensor> out = new ArrayList<>(pruned.size());
        try (Model file = ModelOpener.open(written.output())) {
            for (PrunedTensor p : pruned) {
                Optional<TensorInfo> t = outputName(written, p.name()).flatMap(file::tensor)
                        .filter(x -> Decoders.find(x.dtype()).isPresent());
                out.add(t.isPresent() ? p.withStoredZeros(Decoders.countZeros(t.get())) : p);
            }
        }
        return out;
    }

    private static Optional<String> outputName(ExportResult written, String source) {
        return written.tensors().stream().filter(t -> t.name().equals(source)).map(TensorExport::outputName).findFirst();
    }
}
