package dev.quantscope.quant.job;

import dev.quantscope.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a synthetic llama-architecture model: what {@link SyntheticLlamaWriter} generates. Tensor names and
 * ggml dimensions are those of llama.cpp's LLM_ARCH_LLAMA, so llama.cpp (and llama-quantize) load the file.
 *
 * @param dim     embedding length
 * @param layers  number of blocks
 * @param heads   attention heads (dim must be a multiple)
 * @param kvHeads key/value heads (heads must be a multiple)
 * @param ffn     feed-forward length
 * @param vocab   vocabulary size
 * @param dtype   F16 or F32, the type of the matrices (norms are always F32, as llama.cpp's converter writes them)
 * @param seed    seed of the random weights: the same seed gives the same file
 */
public record SyntheticLlama(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, DType dtype, long seed) {

    /** One tensor to generate. {@code norm} tensors are scales near 1, the others weights near N(0, 0.02). */
    public record Tensor(String name, long[] ne, DType type, boolean norm) {
        public long elements() {
            long n = 1;
            for (long d : ne) n = Math.multiplyExact(n, d);
            return n;
        }
    }

    public SyntheticLlama {
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kv-heads", kvHeads);
        positive("ffn", ffn);
        positive("vocab", vocab);
        if (dtype != DType.F16 && dtype != DType.F32) throw new IllegalArgumentException("dtype must be F16 or F32, got " + dtype);
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not a multiple of heads " + heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kv-heads " + kvHeads);
        }
        if (layers > 100_000) throw new IllegalArgumentException("too many layers: " + layers);
    }

    private static void positive(String what, int v) {
        if (v < 1) throw new IllegalArgumentException(what + " must be at least 1, got " + v);
    }

    public int headDim() { return dim / heads; }

    /** Width of the key and value projections: kv-heads × head dimension. */
    public int kvDim() { return kvHeads * headDim(); }

    /** The tensors in the order llama.cpp's converter writes them. */
    public List<Tensor> tensors() {
        List<Tensor> out = new ArrayList<>(2 + 9 * layers + 1);
        out.add(new Tensor("token_embd.weight", new long[] {dim, vocab}, dtype, false));
        for (int i = 0; i < layers; i++) {
            String b = "blk." + i + ".";
            out.add(new Tensor(b + "attn_norm.weight", new long[] {dim}, DType.F32, true));
            out.add(new Tensor(b + "attn_q.weight", new long[] {dim, dim}, dtype, false));
            out.add(new Tensor(b + "attn_k.weight", new long[] {dim, kvDim()}, dtype, false));
            out.add(new Tensor(b + "attn_v.weight", new long[] {dim, kvDim()}, dtype, false));
            out.add(new Tensor(b + "attn_output.weight", new long[] {dim, dim}, dtype, false));
            out.add(new Tensor(b + "ffn_norm.weight", new long[] {dim}, DType.F32, true));
            out.add(new Tensor(b + "ffn_gate.weight", new long[] {dim, ffn}, dtype, false));
            out.add(new Tensor(b + "ffn_up.weight", new long[] {dim, ffn}, dtype, false));
            out.add(new Tensor(b + "ffn_down.weight", new long[] {ffn, dim}, dtype, false));
        }
        out.add(new Tensor("output_norm.weight", new long[] {dim}, DType.F32, true));
        out.add(new Tensor("output.weight", new long[] {dim, vocab}, dtype, false));
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors()) n = Math.addExact(n, t.elements());
        return n;
    }
}
