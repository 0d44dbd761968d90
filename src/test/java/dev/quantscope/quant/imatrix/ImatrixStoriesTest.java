package dev.quantscope.quant.imatrix;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An importance matrix of stories260K over the first 40,000 bytes of tinyshakespeare, end to end. */
class ImatrixStoriesTest {
    private static final int CTX = 256;
    private static ImportanceMatrix im;
    private static int tokenCount;

    @BeforeAll
    static void compute() throws Exception {
        byte[] all = Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
        String text = new String(Arrays.copyOf(all, 40_000), StandardCharsets.UTF_8);
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, CTX, 2)) {
            int[] tokens = Tokenizers.forModel(model).encode(text, true);
            tokenCount = tokens.length;
            im = ImatrixComputation.compute(engine, tokens, CTX, 1, 0, false, List.of("tinyshakespeare.txt"),
                    ProgressMonitor.NONE);
        }
    }

    @Test
    void collectsEveryBlockMatrixOverEveryToken() {
        int chunks = tokenCount / CTX;
        assertEquals(chunks, im.chunkCount());
        assertEquals(CTX, im.chunkSize());
        assertEquals(List.of("tinyshakespeare.txt"), im.datasets());
        Set<String> expected = new HashSet<>();
        for (int l = 0; l < 5; l++) {
            for (String t : List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")) {
                expected.add("blk." + l + "." + t + ".weight");
            }
        }
        // the output head is left out unless asked for, as llama-imatrix does without --process-output
        assertEquals(expected, im.entries().keySet());
        for (var e : im.entries().entrySet()) {
            ImportanceMatrix.Entry entry = e.getValue();
            assertEquals(1, entry.matrices());
            assertEquals((float) (chunks * CTX), entry.counts()[0], e.getKey());
            assertEquals(e.getKey().endsWith("ffn_down.weight") ? 172 : 64, entry.rowLength(), e.getKey());
            for (float s : entry.sums()) assertTrue(s > 0 && Float.isFinite(s), e.getKey() + " sum " + s);
        }
        for (int l = 0; l < 5; l++) {
            String p = "blk." + l + ".";
            // q, k and v see the same normalised input, as do gate and up
            assertArrayEquals(im.entries().get(p + "attn_q.weight").sums(), im.entries().get(p + "attn_k.weight").sums());
            assertArrayEquals(im.entries().get(p + "attn_q.weight").sums(), im.entries().get(p + "attn_v.weight").sums());
            assertArrayEquals(im.entries().get(p + "ffn_gate.weight").sums(), im.entries().get(p + "ffn_up.weight").sums());
        }
    }

    @Test
    void roundTripsThroughTheGgufFormatExactly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stories.imatrix.gguf");
        ImatrixFiles.writeGguf(im, file);
        ImportanceMatrix back = ImatrixFiles.read(file);
        assertEquals(im, back);
        for (String name : im.entries().keySet()) {
            assertArrayEquals(im.entries().get(name).sums(), back.entries().get(name).sums(), name);
        }
    }

    /**
     * Quantizing with the importance matrix lowers the error that matters for the layer's output: squared weight
     * error weighted by the mean squared input of its column, Σ_rows Σ_j E[x_j²] (w_ij - q_ij)².
     */
    @Test
    void weightedQuantizationLowersTheActivationWeightedError() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            for (String name : List.of("blk.0.ffn_gate.weight", "blk.2.attn_q.weight", "blk.4.attn_output.weight")) {
                TensorInfo t = model.tensor(name).orElseThrow();
                float[] w = Decoders.decodeAll(t);
                float[] imp = im.importance(name).orElseThrow();
                for (DType type : List.of(DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.IQ4_NL)) {
                    double plain = activationWeightedError(w, quantized(GgmlQuantizer.create(type), w, type), imp);
                    double weighted = activationWeightedError(w, quantized(GgmlQuantizer.create(type, imp), w, type), imp);
                    System.out.printf("%s %s: activation-weighted error %.6g -> %.6g with imatrix (%.1f%%)%n",
                            name, type, plain, weighted, 100 * (weighted - plain) / plain);
                    assertTrue(weighted < plain, name + " " + type + ": " + weighted + " vs " + plain);
                }
            }
        }
    }

    private static float[] quantized(GgmlQuantizer q, float[] w, DType type) {
        byte[] bytes = new byte[(int) q.byteSize(w.length)];
        q.quantize(w, 0, w.length, bytes, 0);
        float[] out = new float[w.length];
        Decoders.find(type).orElseThrow().decode(MemorySegment.ofArray(bytes), 0, out, 0, w.length);
        return out;
    }

    private static double activationWeightedError(float[] w, float[] q, float[] imp) {
        double e = 0;
        for (int i = 0; i < w.length; i++) {
            double d = w[i] - q[i];
            e += imp[i % imp.length] * d * d;
        }
        return e;
    }
}
