package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.Activation;
import dev.quantscope.engine.kernel.RangeTask;
import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.format.Model;

/**
 * Runs a Llama-family decoder (Llama, Qwen2) on the CPU: RMSNorm, RoPE (linear, YaRN, Llama 3 frequency factors),
 * grouped-query attention over an F32 or F16 KV cache, SwiGLU MLP, tied or separate output head. Tokens go through
 * in batches: every weight row is read once per batch, not once per token, which is what makes prompt processing
 * faster than generation. All buffers are taken from {@link EngineBuffers} up front, so the token loop creates
 * no garbage. Not thread-safe: one sequence at a time.
 */
public final class LlamaEngine implements AutoCloseable {

    /** Receives the logits of token {@code index} (relative to the batch's first token); the array is reused. */
    @FunctionalInterface
    public interface LogitsConsumer {
        void accept(int index, float[] logits);
    }

    /** Rows handed to a thread at a time: small enough that they stay in cache while every token of the batch uses them. */
    private static final int ROW_BLOCK = 16;
    /** Below this many multiply-adds a job runs on the calling thread: waking workers would cost more. */
    private static final long PARALLEL_THRESHOLD = 1L << 15;

    private final LlamaConfig c;
    private final LlamaWeights w;
    private final int contextSize;
    private final int maxBatch;
    private final RowParallel runner;

    private final float[][] x, q, k, v, o, gate, up, logits;
    private final Activation[] xb, att, hb;
    private final KvCacheType kvCacheType;
    private final KvCache cache;
    private final RopeRotation rope;
    private final int[] single = new int[1];
    private float[] lastLogits;

    // The job the parallel tasks work on; set before each runner.forRange (no per-call allocation).
    private final WeightMatrix[] jobMats = new WeightMatrix[3];
    private final float[][][] jobOuts = new float[3][][];
    private final int[] jobBlockEnd = new int[3];
    private int jobMatCount, jobT0, jobT1;
    private Activation[] jobIn;
    private int curLayer, curStartPos, curCount;
    private final RangeTask matmulTask = this::matmulBlocks;
    private final RangeTask attentionTask = this::attentionItems;
    private final LogitsConsumer keepLogits = (index, l) -> lastLogits = l;
    private MatmulObserver observer;
    private HiddenStateObserver hiddenObserver;

    /**
     * @param contextSize positions the KV cache holds
     * @param threads     worker threads including the caller's (1 = single-threaded)
     * @param maxBatch    tokens processed together in the batched path
     * @param kvCacheType what keys and values are stored as
     */
    public LlamaEngine(Model model, int contextSize, int threads, int maxBatch, KvCacheType kvCacheType) {
        this(model, contextSize, threads, maxBatch, kvCacheType, EngineBuffers.HEAP);
    }

    /** As above, with every working buffer taken from {@code buffers}, here and nowhere else. */
    LlamaEngine(Model model, int contextSize, int threads, int maxBatch, KvCacheType kvCacheType, EngineBuffers buffers) {
        this.c = LlamaConfig.of(model);
        this.kvCacheType = java.util.Objects.requireNonNull(kvCacheType);
        if (contextSize < 1) throw new IllegalArgumentException("context size must be positive");
        if (maxBatch < 1) throw new IllegalArgumentException("batch size must be positive");
        this.contextSize = contextSize;
        this.maxBatch = maxBatch;
        x = vectors(buffers, maxBatch, c.dim());
        q = vectors(buffers, maxBatch, c.qDim());
        k = vectors(buffers, maxBatch, c.kvDim());
        v = vectors(buffers, maxBatch, c.kvDim());
        o = vectors(buffers, maxBatch, c.dim());
        gate = vectors(buffers, maxBatch, c.ffnDim());
        up = vectors(buffers, maxBatch, c.ffnDim());
        logits = vectors(buffers, maxBatch, c.vocab());
        xb = activations(buffers, maxBatch, c.dim());
        att = activations(buffers, maxBatch, c.qDim());
        hb = activations(buffers, maxBatch, c.ffnDim());
        cache = KvCache.create(kvCacheType, c.layers(), contextSize, c.kvDim(), buffers);
        rope = new RopeRotation(c, contextSize);
        // the weights last: their reordered copies are native memory, freed by close(), which a constructor that
        // failed on a buffer after them would never reach
        this.w = new LlamaWeights(model, c);
        this.runner = new RowParallel(threads);
    }

    /** An engine with an F32 KV cache. */
    public LlamaEngine(Model model, int contextSize, int threads, int maxBatch) {
        this(model, contextSize, threads, maxBatch, KvCacheType.F32);
    }

    public LlamaEngine(Model model, int contextSize, int threads, KvCacheType kvCacheType) {
        this(model, contextSize, threads, 64, kvCacheType);
    }

    public LlamaEngine(Model model, int contextSize, int threads) {
        this(model, contextSize, threads, 64, KvCacheType.F32);
    }

    /**
     * Shows every weight matrix's input vectors to {@code observer} (null to stop), e.g. to collect an importance
     * matrix. Costs nothing when unset.
     */
    public void setMatmulObserver(MatmulObserver observer) { this.observer = observer; }

    /**
     * Shows the residual stream entering every block and leaving the last one to {@code observer} (null to stop),
     * e.g. to rank blocks by how much they change it. Costs nothing when unset.
     */
    public void setHiddenStateObserver(HiddenStateObserver observer) { this.hiddenObserver = observer; }

    public LlamaConfig config() { return c; }

    public int contextSize() { return contextSize; }

    public KvCacheType kvCacheType() { return kvCacheType; }

    public int threads() { return runner.threads(); }

    /**
     * Logits of the next token after {@code token} at position {@code pos}; earlier positions must already be in
     * the cache. The returned array is reused by the next call.
     */
    public float[] forward(int token, int pos) {
        single[0] = token;
        forwardBatch(single, 0, 1, pos, 0, keepLogits);
        return lastLogits;
    }

    /**
     * Processes {@code count} tokens {@code tokens[from…]} at positions {@code startPos…}, filling the KV cache,
     * and hands the logits of every token with relative index ≥ {@code firstLogits} to {@code sink}, in order.
     */
    public void forwardBatch(int[] tokens, int from, int count, int startPos, int firstLogits, LogitsConsumer sink) {
        if (startPos < 0 || count < 0 || (long) startPos + count > contextSize) {
            throw new IllegalArgumentException("positions " + startPos + "+" + count + " exceed the context of " + contextSize);
        }
        for (int done = 0; done < count; ) {
            int n = Math.min(maxBatch, count - done);
            int firstHere = Math.max(0, firstLogits - done);
            runBatch(tokens, from + done, n, startPos + done, firstHere, done, sink);
            done += n;
        }
    }

    private void runBatch(int[] tokens, int from, int n, int startPos, int firstLogits, int indexBase, LogitsConsumer sink) {
        int dim = c.dim();
        for (int t = 0; t < n; t++) {
            int token = tokens[from + t];
            if (token < 0 || token >= c.vocab()) throw new IllegalArgumentException("token " + token + " outside the vocabulary");
            w.embed(token, x[t], dim);
        }
        for (int l = 0; l < c.layers(); l++) {
            LlamaWeights.Block b = w.blocks[l];
            if (hiddenObserver != null) observeHidden(l, n);
            for (int t = 0; t < n; t++) rmsNorm(x[t], b.attnNorm(), xb[t]);
            String[] names = w.matrixNames[l];
            if (observer != null) observe(xb, 0, n, c.dim(), names[0], names[1], names[2]);
            matmul(xb, 0, n, b.q(), q, b.k(), k, b.v(), v);
            for (int t = 0; t < n; t++) {
                if (b.qBias() != null) {
                    addInPlace(q[t], b.qBias());
                    addInPlace(k[t], b.kBias());
                    addInPlace(v[t], b.vBias());
                }
                int pos = startPos + t;
                rope.rotate(q[t], c.heads(), pos);
                rope.rotate(k[t], c.kvHeads(), pos);
                cache.roundQuery(q[t]);
                cache.store(l, pos * c.kvDim(), k[t], v[t], c.kvDim());
            }
            curLayer = l;
            curStartPos = startPos;
            curCount = n;
            long attnWork = (long) n * c.heads() * (startPos + n) * c.headDim() * 2;
            if (attnWork < PARALLEL_THRESHOLD) attentionItems(0, n * c.heads());
            else runner.forRange(n * c.heads(), 1, attentionTask);
            for (int t = 0; t < n; t++) att[t].changed(c.qDim());
            if (observer != null) observe(att, 0, n, c.qDim(), names[3], null, null);
            matmul(att, 0, n, b.o(), o, null, null, null, null);
            for (int t = 0; t < n; t++) addInPlace(x[t], o[t]);

            for (int t = 0; t < n; t++) rmsNorm(x[t], b.ffnNorm(), xb[t]);
            if (observer != null) observe(xb, 0, n, c.dim(), names[4], names[5], null);
            matmul(xb, 0, n, b.gate(), gate, b.up(), up, null, null);
            for (int t = 0; t < n; t++) {
                float[] g = gate[t], u = up[t], h = hb[t].values();
                for (int i = 0; i < g.length; i++) h[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];
                hb[t].changed(c.ffnDim());
            }
            if (observer != null) observe(hb, 0, n, c.ffnDim(), names[6], null, null);
            matmul(hb, 0, n, b.down(), o, null, null, null, null);
            for (int t = 0; t < n; t++) addInPlace(x[t], o[t]);
        }
        if (hiddenObserver != null) observeHidden(c.layers(), n);
        if (firstLogits >= n) return;
        for (int t = firstLogits; t < n; t++) rmsNorm(x[t], w.outputNorm, xb[t]);
        if (observer != null) observe(xb, firstLogits, n, c.dim(), w.outputName, null, null);
        matmul(xb, firstLogits, n, w.output, logits, null, null, null, null);
        for (int t = firstLogits; t < n; t++) sink.accept(indexBase + t, logits[t]);
    }

    /** Tells the hidden-state observer the residual stream of every token of the batch entering {@code block}. */
    private void observeHidden(int block, int n) {
        for (int t = 0; t < n; t++) hiddenObserver.onHiddenState(block, t, x[t], c.dim());
    }

    /** Tells the observer the inputs of tokens [t0, t1) to up to three matrices that share them. */
    private void observe(Activation[] in, int t0, int t1, int cols, String name0, String name1, String name2) {
        for (int t = t0; t < t1; t++) {
            float[] v = in[t].values();
            observer.onInput(name0, v, cols);
            if (name1 != null) observer.onInput(name1, v, cols);
            if (name2 != null) observer.onInput(name2, v, cols);
        }
    }

    /** out_m[t] = M_m · in[t] for t in [t0, t1), up to three matrices sharing one input, in one parallel job. */
    private void matmul(Activation[] in, int t0, int t1, WeightMatrix m0, float[][] out0,
                        WeightMatrix m1, float[][] out1, WeightMatrix m2, float[][] out2) {
        jobIn = in;
        jobT0 = t0;
        jobT1 = t1;
        jobMatCount = 0;
        int blocks = 0;
        long work = 0;
        for (int i = 0; i < 3; i++) {
            WeightMatrix m = i == 0 ? m0 : i == 1 ? m1 : m2;
            if (m == null) break;
            jobMats[i] = m;
            jobOuts[i] = i == 0 ? out0 : i == 1 ? out1 : out2;
            blocks += (m.rows() + ROW_BLOCK - 1) / ROW_BLOCK;
            jobBlockEnd[i] = blocks;
            work += (long) m.rows() * m.cols() * (t1 - t0);
            jobMatCount++;
        }
        if (work < PARALLEL_THRESHOLD) matmulBlocks(0, blocks);
        else runner.forRange(blocks, 1, matmulTask);
    }

    private void matmulBlocks(int blockStart, int blockEnd) {
        int m = 0, firstBlockOfM = 0;
        for (int blk = blockStart; blk < blockEnd; blk++) {
            while (blk >= jobBlockEnd[m]) {
                firstBlockOfM = jobBlockEnd[m];
                m++;
            }
            WeightMatrix mat = jobMats[m];
            float[][] outs = jobOuts[m];
            int r0 = (blk - firstBlockOfM) * ROW_BLOCK;
            int r1 = Math.min(mat.rows(), r0 + ROW_BLOCK);
            mat.matmul(jobIn, jobT0, jobT1, outs, r0, r1);
        }
    }

    /**
     * Causal attention for items [start, end), item = token * heads + head. Softmax is computed online (running
     * maximum and sum), so no score buffer as long as the context is needed.
     */
    private void attentionItems(int start, int end) {
        int hd = c.headDim(), kvDim = c.kvDim(), group = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hd));
        int layer = curLayer;
        for (int item = start; item < end; item++) {
            int t = item / c.heads(), h = item % c.heads();
            int pos = curStartPos + t;
            float[] qv = q[t];
            int qOff = h * hd, kvOff = (h / group) * hd;
            float[] out = att[t].values();
            int oOff = h * hd;
            java.util.Arrays.fill(out, oOff, oOff + hd, 0f);
            float max = Float.NEGATIVE_INFINITY;
            double sum = 0;
            for (int j = 0; j <= pos; j++) {
                int kOff = j * kvDim + kvOff;
                float s = cache.dotKey(layer, kOff, qv, qOff, hd) * scale;
                if (s > max) {
                    float rescale = (float) Math.exp(max - s);
                    sum *= rescale;
                    for (int i = 0; i < hd; i++) out[oOff + i] *= rescale;
                    max = s;
                }
                float p = (float) Math.exp(s - max);
                sum += p;
                cache.addValue(layer, kOff, p, out, oOff, hd);
            }
            float inv = (float) (1.0 / sum);
            for (int i = 0; i < hd; i++) out[oOff + i] *= inv;
        }
    }

    /** out = in / rms(in) * weight, the sum of squares in double as ggml does. */
    private void rmsNorm(float[] in, float[] weight, Activation out) {
        double ss = 0;
        for (float f : in) ss += f * f;
        float inv = (float) (1.0 / Math.sqrt((float) (ss / in.length) + c.rmsEps()));
        float[] dst = out.values();
        for (int i = 0; i < in.length; i++) dst[i] = in[i] * inv * weight[i];
        out.changed(in.length);
    }

    private static void addInPlace(float[] acc, float[] add) {
        for (int i = 0; i < acc.length; i++) acc[i] += add[i];
    }

    /** One vector of {@code len} per token of a batch. */
    private static float[][] vectors(EngineBuffers buffers, int n, int len) {
        float[][] a = new float[n][];
        for (int i = 0; i < n; i++) a[i] = buffers.floats(len);
        return a;
    }

    private static Activation[] activations(EngineBuffers buffers, int n, int len) {
        Activation[] a = new Activation[n];
        for (int i = 0; i < n; i++) a[i] = buffers.activation(len);
        return a;
    }

    @Override
    public void close() {
        runner.close();
        w.close();
    }
}
