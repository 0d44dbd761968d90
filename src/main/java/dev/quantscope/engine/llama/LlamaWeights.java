package dev.quantscope.engine.llama;

import dev.quantscope.engine.kernel.CopyBudget;
import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.format.Model;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tensors of a Llama-family decoder, found by name in either naming convention. Matrices stay in their stored
 * dtype behind {@link WeightMatrix}; norms and biases are small and decoded to floats.
 */
final class LlamaWeights {

    /** One transformer block. Biases are null when the architecture has none. */
    record Block(float[] attnNorm, WeightMatrix q, WeightMatrix k, WeightMatrix v, float[] qBias, float[] kBias,
                 float[] vBias, WeightMatrix o, float[] ffnNorm, WeightMatrix gate, WeightMatrix up,
                 WeightMatrix down) {}

    final TensorInfo embedding;
    final ElementDecoder embeddingDecoder;
    final Block[] blocks;
    final float[] outputNorm;
    final WeightMatrix output;
    /** Per layer, the tensor names of q, k, v, o, gate, up, down: what a {@link MatmulObserver} is told. */
    final String[][] matrixNames;
    final String outputName;
    /**
     * Where the kernels keep their reordered copies of the weights, closed with the engine; null when the copies
     * would not fit in memory ({@link CopyBudget}) and every kernel reads the mapped file.
     */
    private final Arena copies;

    LlamaWeights(Model model, LlamaConfig c) {
        Names n = c.layout() == WeightLayout.GGUF ? GGUF_NAMES : HF_NAMES;
        matrixNames = new String[c.layers()][];
        for (int l = 0; l < c.layers(); l++) {
            String p = n.blockPrefix + l + ".";
            matrixNames[l] = new String[] {p + n.q + ".weight", p + n.k + ".weight", p + n.v + ".weight", p + n.o,
                    p + n.gate, p + n.up, p + n.down};
        }
        copies = CopyBudget.allows(CopyBudget.bytesFor(matrixTensors(model, n))) ? Arena.ofShared() : null;
        try {
            embedding = require(model, n.embedding);
            embeddingDecoder = Decoders.find(embedding.dtype()).orElseThrow(
                    () -> new IllegalArgumentException(embedding.name() + ": " + embedding.dtype() + " is not decodable"));
            checkMatrix(embedding, c.vocab(), c.dim());
            blocks = new Block[c.layers()];
            for (int l = 0; l < c.layers(); l++) {
                String p = n.blockPrefix + l + ".";
                String[] m = matrixNames[l];
                blocks[l] = new Block(
                        vector(model, p + n.attnNorm, c.dim()),
                        matrix(model, m[0], c.qDim(), c.dim()),
                        matrix(model, m[1], c.kvDim(), c.dim()),
                        matrix(model, m[2], c.kvDim(), c.dim()),
                        c.qkvBias() ? vector(model, p + n.q + ".bias", c.qDim()) : null,
                        c.qkvBias() ? vector(model, p + n.k + ".bias", c.kvDim()) : null,
                        c.qkvBias() ? vector(model, p + n.v + ".bias", c.kvDim()) : null,
                        matrix(model, m[3], c.dim(), c.qDim()),
                        vector(model, p + n.ffnNorm, c.dim()),
                        matrix(model, m[4], c.ffnDim(), c.dim()),
                        matrix(model, m[5], c.ffnDim(), c.dim()),
                        matrix(model, m[6], c.dim(), c.ffnDim()));
            }
            outputNorm = vector(model, n.outputNorm, c.dim());
            // Tied embeddings: small models reuse the embedding as the output head.
            Optional<TensorInfo> head = model.tensor(n.output);
            TensorInfo headTensor = head.orElse(embedding);
            checkMatrix(headTensor, c.vocab(), c.dim());
            output = Matrices.load(headTensor, copies);
            outputName = headTensor.name();
        } catch (RuntimeException | Error e) {
            close(); // a matrix that failed to load must not leave the copies made so far behind
            throw e;
        }
    }

    /** Frees the kernels' copies of the weights: no matrix may be used after this. */
    void close() {
        if (copies != null && copies.scope().isAlive()) copies.close();
    }

    /** The matrices the engine multiplies with, those present (a missing one is reported when it is loaded). */
    private List<TensorInfo> matrixTensors(Model model, Names n) {
        List<TensorInfo> out = new ArrayList<>();
        for (String[] layer : matrixNames) {
            for (String name : layer) model.tensor(name).ifPresent(out::add);
        }
        model.tensor(n.output).or(() -> model.tensor(n.embedding)).ifPresent(out::add);
        return out;
    }

    /** Decodes the embedding row of {@code token} into {@code dst[0, dim)}. */
    void embed(int token, float[] dst, int dim) {
        embeddingDecoder.decode(embedding.data(), Math.multiplyExact((long) token, dim), dst, 0, dim);
    }

    private record Names(String embedding, String blockPrefix, String attnNorm, String q, String k, String v, String o,
                         String ffnNorm, String gate, String up, String down, String outputNorm, String output) {}

    private static final Names GGUF_NAMES = new Names("token_embd.weight", "blk.", "attn_norm.weight", "attn_q",
            "attn_k", "attn_v", "attn_output.weight", "ffn_norm.weight", "ffn_gate.weight", "ffn_up.weight",
            "ffn_down.weight", "output_norm.weight", "output.weight");

    private static final Names HF_NAMES = new Names("model.embed_tokens.weight", "model.layers.",
            "input_layernorm.weight", "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj.weight", "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
            "mlp.down_proj.weight", "model.norm.weight", "lm_head.weight");

    private static TensorInfo require(Model model, String name) {
        return model.tensor(name).orElseThrow(() -> new IllegalArgumentException("missing tensor " + name));
    }

    private WeightMatrix matrix(Model model, String name, int rows, int cols) {
        TensorInfo t = require(model, name);
        checkMatrix(t, rows, cols);
        return Matrices.load(t, copies);
    }

    private static void checkMatrix(TensorInfo t, int rows, int cols) {
        if (t.shape().rows() != rows || t.shape().rowLength() != cols) {
            throw new IllegalArgumentException(t.name() + " is " + t.shape() + ", expected " + rows + " rows of " + cols);
        }
    }

    private static float[] vector(Model model, String name, int length) {
        TensorInfo t = require(model, name);
        if (t.parameters() != length) throw new IllegalArgumentException(name + " has " + t.parameters() + " elements, expected " + length);
        return Decoders.decodeAll(t);
    }
}
