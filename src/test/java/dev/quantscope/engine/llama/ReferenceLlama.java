package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.tensor.Decoders;

/**
 * A deliberately plain double-precision Llama forward pass for GGUF llama files, written independently of
 * {@link LlamaEngine} (no batching, no online softmax, no threads), to check the engine against.
 */
final class ReferenceLlama {
    private final int dim, layers, heads, kvHeads, hd, ffn, vocab;
    private final double eps, theta;
    private final double[][] emb, out;
    private final double[] outNorm;
    private final double[][] attnNorm, ffnNorm;
    private final double[][][] wq, wk, wv, wo, wg, wu, wd;
    private final double[][][] kCache, vCache;

    ReferenceLlama(Model m, int ctx) {
        var md = m.metadata();
        dim = ((Number) md.get("llama.embedding_length")).intValue();
        layers = ((Number) md.get("llama.block_count")).intValue();
        heads = ((Number) md.get("llama.attention.head_count")).intValue();
        kvHeads = ((Number) md.get("llama.attention.head_count_kv")).intValue();
        ffn = ((Number) md.get("llama.feed_forward_length")).intValue();
        eps = ((Number) md.get("llama.attention.layer_norm_rms_epsilon")).doubleValue();
        theta = 10000.0;
        hd = dim / heads;
        emb = mat(m, "token_embd.weight", dim);
        vocab = emb.length;
        out = m.tensor("output.weight").isPresent() ? mat(m, "output.weight", dim) : emb;
        outNorm = vec(m, "output_norm.weight");
        attnNorm = new double[layers][];
        ffnNorm = new double[layers][];
        wq = new double[layers][][]; wk = new double[layers][][]; wv = new double[layers][][]; wo = new double[layers][][];
        wg = new double[layers][][]; wu = new double[layers][][]; wd = new double[layers][][];
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            attnNorm[l] = vec(m, p + "attn_norm.weight");
            ffnNorm[l] = vec(m, p + "ffn_norm.weight");
            wq[l] = mat(m, p + "attn_q.weight", dim);
            wk[l] = mat(m, p + "attn_k.weight", dim);
            wv[l] = mat(m, p + "attn_v.weight", dim);
            wo[l] = mat(m, p + "attn_output.weight", dim);
            wg[l] = mat(m, p + "ffn_gate.weight", dim);
            wu[l] = mat(m, p + "ffn_up.weight", dim);
            wd[l] = mat(m, p + "ffn_down.weight", ffn);
        }
        kCache = new double[layers][ctx][];
        vCache = new double[layers][ctx][];
    }

    double[] forward(int token, int pos) {
        double[] x = emb[token].clone();
        for (int l = 0; l < layers; l++) {
            double[] h = norm(x, attnNorm[l]);
            double[] q = mul(wq[l], h), k = mul(wk[l], h), v = mul(wv[l], h);
            rotate(q, pos);
            rotate(k, pos);
            kCache[l][pos] = k;
            vCache[l][pos] = v;
            double[] a = new double[dim];
            for (int hh = 0; hh < heads; hh++) {
                int kv = hh / (heads / kvHeads);
                double[] score = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= pos; j++) {
                    double s = 0;
                    for (int i = 0; i < hd; i++) s += q[hh * hd + i] * kCache[l][j][kv * hd + i];
                    score[j] = s / Math.sqrt(hd);
                    max = Math.max(max, score[j]);
                }
                double sum = 0;
                for (int j = 0; j <= pos; j++) sum += score[j] = Math.exp(score[j] - max);
                for (int j = 0; j <= pos; j++) {
                    for (int i = 0; i < hd; i++) a[hh * hd + i] += score[j] / sum * vCache[l][j][kv * hd + i];
                }
            }
            add(x, mul(wo[l], a));
            h = norm(x, ffnNorm[l]);
            double[] g = mul(wg[l], h), u = mul(wu[l], h);
            for (int i = 0; i < ffn; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            add(x, mul(wd[l], g));
        }
        return mul(out, norm(x, outNorm));
    }

    /** GGUF llama weights rotate adjacent pairs (2i, 2i+1) of each head. */
    private void rotate(double[] v, int pos) {
        for (int h = 0; h < v.length / hd; h++) {
            for (int i = 0; i < hd / 2; i++) {
                double ang = pos * Math.pow(theta, -2.0 * i / hd);
                double a = v[h * hd + 2 * i], b = v[h * hd + 2 * i + 1];
                v[h * hd + 2 * i] = a * Math.cos(ang) - b * Math.sin(ang);
                v[h * hd + 2 * i + 1] = a * Math.sin(ang) + b * Math.cos(ang);
            }
        }
    }

    private double[] norm(double[] x, double[] w) {
        double ss = 0;
        for (double d : x) ss += d * d;
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) r[i] = x[i] * inv * w[i];
        return r;
    }

    private static double[] mul(double[][] w, double[] x) {
        double[] r = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double s = 0;
            for (int j = 0; j < x.length; j++) s += w[i][j] * x[j];
            r[i] = s;
        }
        return r;
    }

    private static void add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
    }

    private static double[] vec(Model m, String name) {
        float[] f = Decoders.decodeAll(m.tensor(name).orElseThrow());
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[][] mat(Model m, String name, int cols) {
        double[] flat = vec(m, name);
        double[][] r = new double[flat.length / cols][cols];
        for (int i = 0; i < r.length; i++) System.arraycopy(flat, i * cols, r[i], 0, cols);
        return r;
    }

    int vocab() { return vocab; }
}
