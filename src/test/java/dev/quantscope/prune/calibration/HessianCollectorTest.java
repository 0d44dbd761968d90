package dev.quantscope.prune.calibration;

import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HessianCollectorTest {
    private static final String Q = "blk.0.attn_q.weight", K = "blk.0.attn_k.weight", V = "blk.0.attn_v.weight";
    private static final String O = "blk.0.attn_output.weight", DOWN = "blk.0.ffn_down.weight";

    /** Feeds tokens the way the engine does: q, k and v get the same array, then o its own; down is not asked for. */
    @Test
    void sumsXTransposeXOncePerDistinctInput() {
        int n = 5, m = 3, tokens = 45; // more than one batch of 32, and a partial one
        Random rnd = new Random(7);
        float[][] attnIn = new float[tokens][n], mixIn = new float[tokens][m];
        HessianCollector c = new HessianCollector(name -> !name.equals(DOWN));
        float[] shared = new float[n], mix = new float[m + 2]; // engine buffers may be longer than the input
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < n; j++) attnIn[t][j] = shared[j] = (float) rnd.nextGaussian();
            for (int j = 0; j < m; j++) mixIn[t][j] = mix[j] = (float) rnd.nextGaussian();
            mix[m] = 99; // beyond n: must be ignored
            c.onInput(Q, shared, n);
            c.onInput(K, shared, n);
            c.onInput(V, shared, n);
            c.onInput(O, mix, m);
            c.onInput(DOWN, mix, m);
        }
        assertEquals(List.of(Q, K, V, O), c.tensorNames());
        assertEquals(2, c.distinctInputs());
        assertTrue(c.hessian(DOWN).isEmpty());

        Hessian hq = c.hessian(Q).orElseThrow();
        assertEquals(tokens, hq.tokens());
        assertArrayEquals(byHand(attnIn, n), hq.values(), 1e-9);
        assertArrayEquals(hq.values(), c.hessian(K).orElseThrow().values());
        assertArrayEquals(hq.values(), c.hessian(V).orElseThrow().values());
        Hessian ho = c.hessian(O).orElseThrow();
        assertArrayEquals(byHand(mixIn, m), ho.values(), 1e-9);

        double[] squares = new double[n];
        for (float[] x : attnIn) for (int j = 0; j < n; j++) squares[j] += (double) x[j] * x[j];
        assertArrayEquals(squares, hq.columnSquares(), 1e-9);
    }

    /** On the real engine: four Hessians per block, each equal to XᵀX of the vectors the engine showed. */
    @Test
    void collectsFourInputsPerBlockFromTheEngine() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 40, 1)) {
            HessianCollector collector = new HessianCollector(name -> name.startsWith("blk.1."));
            Map<String, List<float[]>> seen = new HashMap<>();
            engine.setMatmulObserver((name, x, n) -> {
                seen.computeIfAbsent(name, k -> new ArrayList<>()).add(Arrays.copyOf(x, n));
                collector.onInput(name, x, n);
            });
            int[] tokens = new int[40];
            for (int i = 0; i < tokens.length; i++) tokens[i] = 1 + 7 * i % 500;
            engine.forwardBatch(tokens, 0, tokens.length, 0, tokens.length, (i, l) -> {});

            assertEquals(4, collector.distinctInputs());
            assertEquals(7, collector.tensorNames().size());
            for (String name : collector.tensorNames()) {
                Hessian h = collector.hessian(name).orElseThrow();
                float[][] x = seen.get(name).toArray(float[][]::new);
                assertEquals(tokens.length, h.tokens(), name);
                double[] expected = byHand(x, h.size());
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], h.values()[i], 1e-9 * (1 + Math.abs(expected[i])), name + " at " + i);
                }
            }
            assertTrue(collector.hessian("blk.0.attn_q.weight").isEmpty());
        }
    }

    @Test
    void readingTheHessianMidwayLosesNoToken() {
        HessianCollector c = new HessianCollector(name -> true);
        float[] x = {1, 2};
        c.onInput(O, x, 2);
        assertArrayEquals(new double[] {1, 2, 2, 4}, c.hessian(O).orElseThrow().values());
        c.onInput(O, x, 2);
        assertEquals(2, c.hessian(O).orElseThrow().tokens());
        assertArrayEquals(new double[] {2, 4, 4, 8}, c.hessian(O).orElseThrow().values());
    }

    @Test
    void refusesASiblingThatDoesNotShareTheInput() {
        HessianCollector c = new HessianCollector(name -> true);
        c.onInput(Q, new float[] {1, 2}, 2);
        assertThrows(IllegalStateException.class, () -> c.onInput(K, new float[] {1, 2}, 2));
    }

    @Test
    void namesTheSevenBlockMatricesInBothNamings() {
        assertEquals(new BlockMatrix.Location(12, BlockMatrix.FFN_UP), BlockMatrix.locate("blk.12.ffn_up.weight").orElseThrow());
        assertEquals(new BlockMatrix.Location(3, BlockMatrix.ATTN_V),
                BlockMatrix.locate("model.layers.3.self_attn.v_proj.weight").orElseThrow());
        for (String notOne : List.of("token_embd.weight", "output.weight", "blk.0.attn_norm.weight",
                "blk.0.attn_q.bias", "model.layers.0.input_layernorm.weight", "lm_head.weight")) {
            assertTrue(BlockMatrix.locate(notOne).isEmpty(), notOne);
        }
        assertEquals("0/ATTENTION", BlockMatrix.locate(K).orElseThrow().inputKey());
        assertEquals(BlockMatrix.locate("blk.2.ffn_gate.weight").orElseThrow().inputKey(),
                BlockMatrix.locate("blk.2.ffn_up.weight").orElseThrow().inputKey());
    }

    private static double[] byHand(float[][] x, int n) {
        double[] h = new double[n * n];
        for (float[] row : x) {
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) h[i * n + j] += (double) row[i] * row[j];
        }
        return h;
    }
}
