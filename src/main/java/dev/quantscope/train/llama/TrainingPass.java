package dev.quantscope.train.llama;

import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.engine.llama.LlamaConfig;

import java.util.Arrays;

/**
 * The Llama forward pass over one window of tokens (positions 0…n−1, as the engine runs a window from an empty
 * cache), keeping every activation the backward pass needs, and that backward pass, piece by piece: output head,
 * final RMSNorm, then per block (last first) the SwiGLU FFN, its RMSNorm, the attention output, causal attention,
 * RoPE, the q/k/v projections and the attention RMSNorm, and last the embedding. Gradients are added to the
 * parameters' gradient arrays (zero them between steps). Matrix products go through {@link Matmuls}; attention is
 * split by KV head. Not thread-safe: one window at a time.
 */
public final class TrainingPass implements AutoCloseable {
    private final LlamaParameters p;
    private final LlamaConfig c;
    private final int maxTokens;
    private final RowParallel pool;
    private final Matmuls mm;
    private final CausalAttention attention;
    private final RopeTable rope;

    // Per block: what the forward pass keeps.
    private final float[][] xIn, inv1, xn1, q, k, v, probs, att, xMid, inv2, xn2, gate, up, h;
    private final float[] xOut, invF, xnF, logits;
    // Scratch of the backward pass.
    private final float[] dx, dxn, dAtt, dq, dk, dv, dh, dGate, dUp, tmpDim;
    private int[] tokens;
    private int n;

    public TrainingPass(LlamaParameters parameters, int maxTokens, MatmulKernel kernel, int threads) {
        this.p = parameters;
        this.c = parameters.config();
        this.maxTokens = maxTokens;
        this.pool = new RowParallel(threads);
        this.mm = new Matmuls(kernel, pool);
        this.attention = new CausalAttention(c.heads(), c.kvHeads(), c.headDim(), pool);
        this.rope = new RopeTable(c, maxTokens);
        int L = c.layers(), T = maxTokens;
        xIn = arrays(L, T * c.dim());
        inv1 = arrays(L, T);
        xn1 = arrays(L, T * c.dim());
        q = arrays(L, T * c.qDim());
        k = arrays(L, T * c.kvDim());
        v = arrays(L, T * c.kvDim());
        probs = arrays(L, attention.probabilities(T));
        att = arrays(L, T * c.qDim());
        xMid = arrays(L, T * c.dim());
        inv2 = arrays(L, T);
        xn2 = arrays(L, T * c.dim());
        gate = arrays(L, T * c.ffnDim());
        up = arrays(L, T * c.ffnDim());
        h = arrays(L, T * c.ffnDim());
        xOut = new float[T * c.dim()];
        invF = new float[T];
        xnF = new float[T * c.dim()];
        logits = new float[Math.multiplyExact(T, c.vocab())];
        dx = new float[T * c.dim()];
        dxn = new float[T * c.dim()];
        tmpDim = new float[T * c.dim()];
        dAtt = new float[T * c.qDim()];
        dq = new float[T * c.qDim()];
        dk = new float[T * c.kvDim()];
        dv = new float[T * c.kvDim()];
        dh = new float[T * c.ffnDim()];
        dGate = new float[T * c.ffnDim()];
        dUp = new float[T * c.ffnDim()];
    }

    public LlamaParameters parameters() { return p; }

    public int maxTokens() { return maxTokens; }

    /**
     * Runs {@code count} tokens and returns the logits, count × vocab (a buffer reused by the next call).
     */
    public float[] forward(int[] tokens, int count) {
        if (count < 1 || count > maxTokens) throw new IllegalArgumentException(count + " tokens for a window of " + maxTokens);
        for (int t = 0; t < count; t++) {
            if (tokens[t] < 0 || tokens[t] >= c.vocab()) throw new IllegalArgumentException("token " + tokens[t] + " outside the vocabulary");
        }
        this.tokens = Arrays.copyOf(tokens, count);
        this.n = count;
        int dim = c.dim(), ffn = c.ffnDim();
        Embedding.forward(p.embedding().values(), tokens, n, dim, xIn[0]);
        for (int l = 0; l < c.layers(); l++) {
            LlamaParameters.Block b = p.blocks().get(l);
            RmsNorm.forward(xIn[l], b.attnNorm().values(), c.rmsEps(), n, dim, xn1[l], inv1[l]);
            mm.forward(xn1[l], b.q().values(), q[l], n, c.qDim(), dim);
            mm.forward(xn1[l], b.k().values(), k[l], n, c.kvDim(), dim);
            mm.forward(xn1[l], b.v().values(), v[l], n, c.kvDim(), dim);
            if (b.qBias() != null) {
                addBias(q[l], b.qBias().values(), n);
                addBias(k[l], b.kBias().values(), n);
                addBias(v[l], b.vBias().values(), n);
            }
            rope.forward(q[l], n, c.heads());
            rope.forward(k[l], n, c.kvHeads());
            attention.forward(q[l], k[l], v[l], n, probs[l], att[l]);
            mm.forward(att[l], b.o().values(), tmpDim, n, dim, c.qDim());
            for (int i = 0; i < n * dim; i++) xMid[l][i] = xIn[l][i] + tmpDim[i];
            RmsNorm.forward(xMid[l], b.ffnNorm().values(), c.rmsEps(), n, dim, xn2[l], inv2[l]);
            mm.forward(xn2[l], b.gate().values(), gate[l], n, ffn, dim);
            mm.forward(xn2[l], b.up().values(), up[l], n, ffn, dim);
            SwiGlu.forward(gate[l], up[l], h[l], n * ffn);
            mm.forward(h[l], b.down().values(), tmpDim, n, dim, ffn);
            float[] next = l + 1 < c.layers() ? xIn[l + 1] : xOut;
            for (int i = 0; i < n * dim; i++) next[i] = xMid[l][i] + tmpDim[i];
        }
        RmsNorm.forward(xOut, p.outputNorm().values(), c.rmsEps(), n, dim, xnF, invF);
        mm.forward(xnF, p.head().values(), logits, n, c.vocab(), dim);
        return logits;
    }

    /** Adds the gradient of a loss whose gradient in the logits of the last {@link #forward} is {@code dLogits}. */
    public void backward(float[] dLogits) {
        if (tokens == null) throw new IllegalStateException("backward before forward");
        int dim = c.dim(), ffn = c.ffnDim(), nd = n * dim;
        Arrays.fill(dxn, 0, nd, 0f);
        mm.backwardInput(dLogits, p.head().values(), dxn, n, c.vocab(), dim);
        mm.backwardWeight(dLogits, xnF, p.head().gradients(), n, c.vocab(), dim);
        Arrays.fill(dx, 0, nd, 0f);
        RmsNorm.backward(xOut, p.outputNorm().values(), invF, dxn, n, dim, dx, p.outputNorm().gradients());
        for (int l = c.layers() - 1; l >= 0; l--) {
            LlamaParameters.Block b = p.blocks().get(l);
            // FFN: x_out = x_mid + down(swiglu(gate(xn2), up(xn2))); dx holds d x_out and becomes d x_mid.
            Arrays.fill(dh, 0, n * ffn, 0f);
            mm.backwardInput(dx, b.down().values(), dh, n, dim, ffn);
            mm.backwardWeight(dx, h[l], b.down().gradients(), n, dim, ffn);
            SwiGlu.backward(gate[l], up[l], dh, dGate, dUp, n * ffn);
            Arrays.fill(dxn, 0, nd, 0f);
            mm.backwardInput(dGate, b.gate().values(), dxn, n, ffn, dim);
            mm.backwardInput(dUp, b.up().values(), dxn, n, ffn, dim);
            mm.backwardWeight(dGate, xn2[l], b.gate().gradients(), n, ffn, dim);
            mm.backwardWeight(dUp, xn2[l], b.up().gradients(), n, ffn, dim);
            RmsNorm.backward(xMid[l], b.ffnNorm().values(), inv2[l], dxn, n, dim, dx, b.ffnNorm().gradients());
            // Attention: x_mid = x_in + o(attention(rope(q), rope(k), v)); dx becomes d x_in.
            Arrays.fill(dAtt, 0, n * c.qDim(), 0f);
            mm.backwardInput(dx, b.o().values(), dAtt, n, dim, c.qDim());
            mm.backwardWeight(dx, att[l], b.o().gradients(), n, dim, c.qDim());
            Arrays.fill(dq, 0, n * c.qDim(), 0f);
            Arrays.fill(dk, 0, n * c.kvDim(), 0f);
            Arrays.fill(dv, 0, n * c.kvDim(), 0f);
            attention.backward(q[l], k[l], v[l], probs[l], dAtt, n, dq, dk, dv);
            rope.backward(dq, n, c.heads());
            rope.backward(dk, n, c.kvHeads());
            if (b.qBias() != null) {
                biasGradient(dq, b.qBias().gradients(), n);
                biasGradient(dk, b.kBias().gradients(), n);
                biasGradient(dv, b.vBias().gradients(), n);
            }
            Arrays.fill(dxn, 0, nd, 0f);
            mm.backwardInput(dq, b.q().values(), dxn, n, c.qDim(), dim);
            mm.backwardInput(dk, b.k().values(), dxn, n, c.kvDim(), dim);
            mm.backwardInput(dv, b.v().values(), dxn, n, c.kvDim(), dim);
            mm.backwardWeight(dq, xn1[l], b.q().gradients(), n, c.qDim(), dim);
            mm.backwardWeight(dk, xn1[l], b.k().gradients(), n, c.kvDim(), dim);
            mm.backwardWeight(dv, xn1[l], b.v().gradients(), n, c.kvDim(), dim);
            RmsNorm.backward(xIn[l], b.attnNorm().values(), inv1[l], dxn, n, dim, dx, b.attnNorm().gradients());
        }
        Embedding.backward(dx, tokens, n, dim, p.embedding().gradients());
    }

    private void addBias(float[] y, float[] bias, int tokens) {
        int w = bias.length;
        for (int t = 0; t < tokens; t++) for (int i = 0; i < w; i++) y[t * w + i] += bias[i];
    }

    private void biasGradient(float[] dy, float[] dBias, int tokens) {
        int w = dBias.length;
        for (int t = 0; t < tokens; t++) for (int i = 0; i < w; i++) dBias[i] += dy[t * w + i];
    }

    private static float[][] arrays(int count, int length) {
        float[][] a = new float[count][];
        for (int i = 0; i < count; i++) a[i] = new float[length];
        return a;
    }

    @Override
    public void close() {
        pool.close();
    }
}
