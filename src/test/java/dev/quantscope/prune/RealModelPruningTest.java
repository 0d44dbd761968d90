package dev.quantscope.prune;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Pruning the real models in ../shared: stories260K (F32) and the synthetic Llama in F16, whose values repeat. */
class RealModelPruningTest {

    /** Every 2-D weight of the transformer blocks, streamed from the mapped file in chunks, as the pipeline would. */
    private static List<TensorInfo> blockMatrices(Model model) {
        return model.tensors().stream()
                .filter(t -> t.name().startsWith("blk.") && t.shape().rank() == 2)
                .toList();
    }

    private static GlobalThreshold.Source stream(TensorInfo t) {
        ElementDecoder decoder = Decoders.find(t.dtype()).orElseThrow();
        return new GlobalThreshold.Source(t.name(), sink -> {
            float[] chunk = new float[4096];
            for (long first = 0; first < t.parameters(); first += chunk.length) {
                int n = (int) Math.min(chunk.length, t.parameters() - first);
                decoder.decode(t.data(), first, chunk, 0, n);
                sink.accept(chunk, 0, n);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "models/synth-llama-dev-f16.gguf"})
    void aGlobalThresholdOverEveryBlockMatrixPrunesTheSmallestHalf(String file) throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file(file))) {
            List<TensorInfo> matrices = blockMatrices(model);
            assertTrue(matrices.size() >= 21, "7 matrices a block");
            GlobalThreshold.Cut cut = GlobalThreshold.select(matrices.stream().map(RealModelPruningTest::stream).toList(),
                    new SparsityPattern.Unstructured(0.5));

            assertEquals(Math.round(0.5 * cut.total()), cut.pruned());
            int cutKey = WeightScore.key(cut.threshold());
            long pruned = 0;
            for (int i = 0; i < matrices.size(); i++) {
                TensorInfo t = matrices.get(i);
                float[] w = Decoders.decodeAll(t);
                float[] before = w.clone();
                SparsityMask mask = cut.tensors().get(i).prune(w, (int) t.shape().rows(), (int) t.shape().rowLength());
                for (int j = 0; j < w.length; j++) {
                    int key = WeightScore.key(before[j]);
                    assertTrue(mask.isKept(j) ? key >= cutKey : key <= cutKey, t.name() + " at " + j);
                }
                assertEquals(cut.tensors().get(i).pruned(), mask.zeros(), t.name());
                pruned += mask.zeros();
            }
            assertEquals(cut.pruned(), pruned);
            assertTrue(cut.tensors().stream().mapToDouble(GlobalThreshold.TensorCut::sparsity).distinct().count() > 1,
                    "one threshold leaves the tensors at different sparsities");
        }
    }

    @Test
    void twoFourWandaOnTheF16FeedForwardTakesItsIndexedLayout() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/synth-llama-dev-f16.gguf"))) {
            TensorInfo up = model.tensor("blk.0.ffn_up.weight").orElseThrow();
            int rows = (int) up.shape().rows(), cols = (int) up.shape().rowLength();
            float[] w = Decoders.decodeAll(up);
            float[] squares = new float[cols];
            Random random = new Random(1);
            for (int j = 0; j < cols; j++) squares[j] = random.nextFloat() * 4;

            SparsityMask mask = TensorPruner.prune(w, rows, cols, PruneMethod.WANDA, SparsityPattern.parse("2:4"), squares);

            assertEquals(0.5, mask.sparsity());
            for (int start = 0; start < w.length; start += 4) assertEquals(2, mask.keptIn(start, 4), "group at " + start);
            SparseStorage storage = SparseStorage.of(mask, 2);
            assertEquals(2L * rows * cols, storage.denseBytes());
            assertEquals(List.of("sparse-bitmask", "sparse-24-bitmask", "2:4-indexed", "csr"),
                    storage.layouts().stream().map(SparseLayoutSize::id).toList());
            // half the values, and 2 bits for each of them: 9/16 of dense F16
            assertEquals(storage.denseBytes() * 9 / 16, storage.smallest().bytes());
        }
    }
}
