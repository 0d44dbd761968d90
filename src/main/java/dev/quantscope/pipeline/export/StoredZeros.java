package dev.quantscope.pipeline.export;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.prune.PrunedTensor;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
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

    /** Elements decoded at once: bounds the buffer, not the tensor. */
    private static final int CHUNK = 1 << 16;

    /** {@code pruned} with each tensor's zeros in {@code written}'s file, where its values can be decoded. */
    static List<PrunedTensor> measure(ExportResult written, List<PrunedTensor> pruned) throws IOException {
        List<PrunedTensor> out = new ArrayList<>(pruned.size());
        try (Model file = ModelOpener.open(written.output())) {
            for (PrunedTensor p : pruned) {
                Optional<TensorInfo> t = outputName(written, p.name()).flatMap(file::tensor);
                Optional<ElementDecoder> d = t.flatMap(x -> Decoders.find(x.dtype()));
                out.add(d.isPresent() ? p.withStoredZeros(zeros(t.get(), d.get())) : p);
            }
        }
        return out;
    }

    private static Optional<String> outputName(ExportResult written, String source) {
        return written.tensors().stream().filter(t -> t.name().equals(source)).map(TensorExport::outputName).findFirst();
    }

    private static long zeros(TensorInfo t, ElementDecoder decoder) {
        long n = t.parameters(), zeros = 0;
        float[] buf = new float[(int) Math.min(CHUNK, Math.max(1, n))];
        for (long first = 0; first < n; first += buf.length) {
            int count = (int) Math.min(buf.length, n - first);
            decoder.decode(t.data(), first, buf, 0, count);
            for (int i = 0; i < count; i++) if (buf[i] == 0) zeros++;
        }
        return zeros;
    }
}
