package dev.quantscope.train.llama;

import dev.quantscope.engine.kernel.RowParallel;

/**
 * Causal self-attention over a window with grouped KV heads: query head h reads KV head h / (heads / kvHeads);
 * scores q·k/√d, softmax over the positions up to the token's own, output Σ p·v. The probabilities are kept for the
 * backward pass (heads × tokens × tokens floats). Work is split by KV head, so that the heads sharing a KV head
 * accumulate its key and value gradients on one thread.
 */
public final class CausalAttention {
    private final int heads, kvHeads, headDim;
    private final float scale;
    private final RowParallel pool;

    public CausalAttention(int heads, int kvHeads, int headDim, RowParallel pool) {
        if (heads % kvHeads != 0) throw new IllegalArgumentException(heads + " heads not a multiple of " + kvHeads);
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.pool = pool;
    }

    /** Floats of the probability buffer for a window of {@code tokens}. */
    public int probabilities(int tokens) {
        return Math.multiplyExact(heads, Math.multiplyExact(tokens, tokens));
    }

    /** q: tokens × heads·d, k and v: tokens × kvHeads·d; writes probs and out (tokens × heads·d). */
    public void forward(float[] q, float[] k, float[] v, int tokens, float[] probs, float[] out) {
        pool.forRange(kvHeads, 1, (g0, g1) -> {
            for (int g = g0; g < g1; g++) forwardGroup(q, k, v, tokens, probs, out, g);
        });
    }

    private void forwardGroup(float[] q, float[] k, float[] v, int tokens, float[] probs, float[] out, int g) {
        int group = heads / kvHeads, qw = heads * headDim, kw = kvHeads * headDim, ko = g * headDim;
        for (int h = g * group; h < (g + 1) * group; h++) {
            int qo = h * headDim;
            for (int t = 0; t < tokens; t++) {
                int p0 = (h * tokens + t) * tokens;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    float s = 0;
                    for (int i = 0; i < headDim; i++) s += q[t * qw + qo + i] * k[j * kw + ko + i];
                    s *= scale;
                    probs[p0 + j] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    float e = (float) Math.exp(probs[p0 + j] - max);
                    probs[p0 + j] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                for (int j = 0; j <= t; j++) probs[p0 + j] *= inv;
                for (int j = t + 1; j < tokens; j++) probs[p0 + j] = 0;
                int oo = t * qw + qo;
                for (int i = 0; i < headDim; i++) out[oo + i] = 0;
                for (int j = 0; j <= t; j++) {
                    float p = probs[p0 + j];
                    int vo = j * kw + ko;
                    for (int i = 0; i < headDim; i++) out[oo + i] += p * v[vo + i];
                }
            }
        }
    }

    /**
     * Accumulates dq, dk, dv from dOut. With dP = dOut·v and the softmax's Jacobian, dS = P·(dP − Σ_j P·dP); then
     * dq = dS·k/√d, dk = dSᵀ·q/√d, dv = Pᵀ·dOut.
     */
    public void backward(float[] q, float[] k, float[] v, float[] probs, float[] dOut, int tokens,
                         float[] dq, float[] dk, float[] dv) {
        pool.forRange(kvHeads, 1, (g0, g1) -> {
            float[] ds = new float[tokens];
            for (int g = g0; g < g1; g++) backwardGroup(q, k, v, probs, dOut, tokens, dq, dk, dv, g, ds);
        });
    }

    private void backwardGroup(float[] q, float[] k, float[] v, float[] probs, float[] dOut, int tokens,
                               float[] dq, float[] dk, float[] dv, int g, float[] ds) {
        int group = heads / kvHeads, qw = heads * headDim, kw = kvHeads * headDim, ko = g * headDim;
        for (int h = g * group; h < (g + 1) * group; h++) {
            int qo = h * headDim;
            for (int t = 0; t < tokens; t++) {
                int p0 = (h * tokens + t) * tokens, oo = t * qw + qo;
                double weighted = 0;
                for (int j = 0; j <= t; j++) {
                    float dp = 0;
                    int vo = j * kw + ko;
                    for (int i = 0; i < headDim; i++) dp += dOut[oo + i] * v[vo + i];
                    ds[j] = dp;
                    weighted += probs[p0 + j] * dp;
                }
                for (int j = 0; j <= t; j++) {
                    float p = probs[p0 + j];
                    float s = p * (ds[j] - (float) weighted) * scale;
                    int jo = j * kw + ko;
                    for (int i = 0; i < headDim; i++) {
                        dq[oo + i] += s * k[jo + i];
                        dk[jo + i] += s * q[oo + i];
                        dv[jo + i] += p * dOut[oo + i];
                    }
                }
            }
        }
    }
}
