package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatmulObserverTest {

    private static final int[] TOKENS = {1, 403, 407, 261, 378, 385, 300, 314, 293, 266, 291, 349};

    @Test
    void seesEveryMatrixInputInOrderWithoutChangingTheLogits() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine plain = new LlamaEngine(model, 64, 1);
             LlamaEngine observed = new LlamaEngine(model, 64, 1)) {
            List<String> names = new ArrayList<>();
            List<Integer> lengths = new ArrayList<>();
            float[][] firstQInput = new float[1][];
            observed.setMatmulObserver((name, x, n) -> {
                names.add(name);
                lengths.add(n);
                if (firstQInput[0] == null && name.equals("blk.0.attn_q.weight")) {
                    firstQInput[0] = java.util.Arrays.copyOf(x, n);
                }
            });
            List<float[]> a = new ArrayList<>(), b = new ArrayList<>();
            plain.forwardBatch(TOKENS, 0, TOKENS.length, 0, 0, (i, l) -> a.add(l.clone()));
            observed.forwardBatch(TOKENS, 0, TOKENS.length, 0, 0, (i, l) -> b.add(l.clone()));
            for (int t = 0; t < TOKENS.length; t++) assertArrayEquals(a.get(t), b.get(t));

            // per layer 7 matrices per token, plus the output head per token
            int layers = observed.config().layers();
            assertEquals(TOKENS.length * (7 * layers + 1), names.size());
            assertEquals("blk.0.attn_q.weight", names.get(0));
            assertEquals("blk.0.attn_k.weight", names.get(1));
            assertEquals("blk.0.attn_v.weight", names.get(2));
            int down = names.indexOf("blk.0.ffn_down.weight");
            assertEquals(observed.config().ffnDim(), lengths.get(down));
            assertTrue(names.contains("blk.4.attn_output.weight"));

            // the first input to q is the RMS-normalised embedding of BOS times attn_norm
            int dim = observed.config().dim();
            float[] table = dev.quantscope.tensor.Decoders.decodeAll(model.tensor("token_embd.weight").orElseThrow());
            float[] emb = java.util.Arrays.copyOfRange(table, TOKENS[0] * dim, (TOKENS[0] + 1) * dim);
            float[] norm = dev.quantscope.tensor.Decoders.decodeAll(model.tensor("blk.0.attn_norm.weight").orElseThrow());
            double ss = 0;
            for (float v : emb) ss += v * v;
            float scale = (float) (1 / Math.sqrt(ss / emb.length + observed.config().rmsEps()));
            for (int j = 0; j < emb.length; j++) {
                assertEquals(emb[j] * scale * norm[j], firstQInput[0][j], 1e-5f * Math.max(1, Math.abs(firstQInput[0][j])));
            }
        }
    }

    /**
     * What an observer that keeps nothing costs: nothing made for it. It is handed the engine's own activation
     * buffers, never a copy, and running tokens with it asks the engine's buffer provider for nothing more.
     */
    @Test
    void anObserverIsHandedTheEnginesOwnBuffersAndCostsNoNewOne() throws Exception {
        CountingBuffers buffers = new CountingBuffers();
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 256, 1, 64, KvCacheType.F32, buffers)) {
            int setup = buffers.requests();
            double[] acc = new double[1];
            int[] calls = new int[1], foreign = new int[1];
            engine.setMatmulObserver((name, x, n) -> {
                calls[0]++;
                if (!buffers.handedOut(x)) foreign[0]++;
                for (int j = 0; j < n; j++) acc[0] += x[j] * x[j];
            });
            float[][] last = new float[1][];
            engine.forwardBatch(TOKENS, 0, TOKENS.length, 0, TOKENS.length - 1, (i, l) -> last[0] = l);
            float[] logits = last[0];
            for (int p = TOKENS.length; p < TOKENS.length + 100; p++) logits = engine.forward(Sampler.argmax(logits), p);

            int perToken = 7 * engine.config().layers() + 1;
            assertEquals(perToken * (TOKENS.length + 100) - (TOKENS.length - 1), calls[0], "observer calls");
            assertEquals(0, foreign[0], "inputs handed over that are not the engine's own buffers");
            assertEquals(setup, buffers.requests(), "buffers asked for while the observer watched");
            assertTrue(acc[0] > 0);
        }
    }
}
