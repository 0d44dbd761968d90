package dev.quantscope.train.llama;

import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.engine.llama.RopeScaling;
import dev.quantscope.engine.llama.RopeStyle;
import dev.quantscope.engine.llama.WeightLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;

import static dev.quantscope.train.llama.GradientCheck.check;
import static dev.quantscope.train.llama.GradientCheck.dot;
import static dev.quantscope.train.llama.GradientCheck.random;

/**
 * Each piece's backward pass against finite differences of a scalar loss L = Σ r·y (r random, fixed), whose
 * gradient in y is r.
 */
class LlamaPiecesGradientTest {
    private static final int T = 5;
    private final Random rnd = new Random(7);

    @Test
    void rmsNorm() {
        int dim = 6;
        float[] x = random(rnd, T * dim, 1.5f), w = random(rnd, dim, 1f), r = random(rnd, T * dim, 1f);
        float[] y = new float[T * dim], inv = new float[T], dx = new float[T * dim], dw = new float[dim];
        RmsNorm.forward(x, w, 1e-5f, T, dim, y, inv);
        RmsNorm.backward(x, w, inv, r, T, dim, dx, dw);
        java.util.function.DoubleSupplier loss = () -> {
            RmsNorm.forward(x, w, 1e-5f, T, dim, y, new float[T]);
            return dot(r, y, T * dim);
        };
        check("rmsnorm dx", x, dx, loss, 20, 1);
        check("rmsnorm dw", w, dw, loss, 6, 2);
    }

    @ParameterizedTest
    @EnumSource(RopeStyle.class)
    void rope(RopeStyle style) {
        LlamaConfig c = tinyConfig(style, new RopeScaling.Yarn(4, 16, 32, 1, 1.1));
        RopeTable rope = new RopeTable(c, T);
        int width = c.heads() * c.headDim();
        float[] x = random(rnd, T * width, 1f), r = random(rnd, T * width, 1f);
        float[] dx = r.clone();
        rope.backward(dx, T, c.heads());
        check("rope dx", x, dx, () -> {
            float[] y = x.clone();
            rope.forward(y, T, c.heads());
            return dot(r, y, y.length);
        }, 20, 3);
    }

    @Test
    void groupedCausalAttention() {
        int heads = 4, kvHeads = 2, hd = 3;
        try (RowParallel pool = new RowParallel(2)) {
            CausalAttention a = new CausalAttention(heads, kvHeads, hd, pool);
            float[] q = random(rnd, T * heads * hd, 1f), k = random(rnd, T * kvHeads * hd, 1f), v = random(rnd, T * kvHeads * hd, 1f);
            float[] r = random(rnd, T * heads * hd, 1f), probs = new float[a.probabilities(T)], out = new float[r.length];
            float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
            a.forward(q, k, v, T, probs, out);
            a.backward(q, k, v, probs, r, T, dq, dk, dv);
            java.util.function.DoubleSupplier loss = () -> {
                a.forward(q, k, v, T, probs, out);
                return dot(r, out, out.length);
            };
            check("attention dq", q, dq, loss, 20, 4);
            check("attention dk", k, dk, loss, 20, 5);
            check("attention dv", v, dv, loss, 20, 6);
        }
    }

    @Test
    void swiGlu() {
        int n = 30;
        float[] g = random(rnd, n, 3f), u = random(rnd, n, 2f), r = random(rnd, n, 1f), h = new float[n];
        float[] dg = new float[n], du = new float[n];
        SwiGlu.backward(g, u, r, dg, du, n);
        java.util.function.DoubleSupplier loss = () -> {
            SwiGlu.forward(g, u, h, n);
            return dot(r, h, n);
        };
        check("swiglu dgate", g, dg, loss, 15, 7);
        check("swiglu dup", u, du, loss, 15, 8);
    }

    @Test
    void embeddingAndHead() {
        int vocab = 9, dim = 4;
        int[] tokens = {3, 1, 3, 8, 0};
        float[] table = random(rnd, vocab * dim, 1f), r = random(rnd, T * vocab, 1f);
        float[] x = new float[T * dim], logits = new float[T * vocab], dx = new float[T * dim], dTable = new float[table.length];
        MatmulKernel kernel = new ScalarMatmul();
        // logits = embed(tokens)·tableᵀ: the tied head and the embedding share the table's gradient.
        Embedding.forward(table, tokens, T, dim, x);
        kernel.backwardInput(r, table, dx, vocab, dim, 0, T);
        kernel.backwardWeight(r, x, dTable, T, vocab, dim, 0, vocab);
        Embedding.backward(dx, tokens, T, dim, dTable);
        check("tied embedding and head", table, dTable, () -> {
            Embedding.forward(table, tokens, T, dim, x);
            kernel.forward(x, table, logits, T, vocab, dim, 0, vocab);
            return dot(r, logits, logits.length);
        }, 20, 9);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"1, 0", "2, 0", "1, 0.5", "3, 0.25"})
    void softmaxKl(float temperature, float ceWeight) {
        int vocab = 11;
        float[] s = random(rnd, vocab, 3f), t = random(rnd, vocab, 3f), ds = new float[vocab];
        SoftmaxKl.lossAndGradient(s, t, 0, vocab, temperature, 4, ceWeight, 1f, ds);
        float[] scratch = new float[vocab];
        check("softmax-KL dstudent", s, ds,
                () -> SoftmaxKl.lossAndGradient(s, t, 0, vocab, temperature, 4, ceWeight, 1f, scratch), 11, 10);
    }

    static LlamaConfig tinyConfig(RopeStyle style, RopeScaling scaling) {
        return new LlamaConfig("llama", WeightLayout.GGUF, 8, 2, 4, 2, 4, 12, 16, 64, 4, 10000, scaling,
                List.of(), style, 1e-5f, false);
    }
}
