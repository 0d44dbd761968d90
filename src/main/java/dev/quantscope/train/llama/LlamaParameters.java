package dev.quantscope.train.llama;

import dev.quantscope.engine.llama.LlamaConfig;
import dev.quantscope.engine.llama.WeightLayout;
import dev.quantscope.format.Model;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.train.optim.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Every weight of a Llama-family model as a trainable F32 array (decoded from whatever the file stores), named as
 * the GGUF tensor it came from, with a gradient of its own. Without an output tensor the head is the embedding
 * (tied), so the head's gradient adds into the embedding's. Matrices decay; norms and biases do not.
 */
public final class LlamaParameters {

    /** One block's weights; the biases are null unless the model has q/k/v biases (Qwen2). */
    public record Block(Parameter attnNorm, Parameter q, Parameter k, Parameter v, Parameter qBias, Parameter kBias,
                        Parameter vBias, Parameter o, Parameter ffnNorm, Parameter gate, Parameter up, Parameter down) {

        List<Parameter> all() {
            List<Parameter> l = new ArrayList<>();
            for (Parameter p : new Parameter[] {attnNorm, q, k, v, qBias, kBias, vBias, o, ffnNorm, gate, up, down}) {
                if (p != null) l.add(p);
            }
            return l;
        }
    }

    private final LlamaConfig config;
    private final Parameter embedding;
    private final List<Block> blocks;
    private final Parameter outputNorm;
    private final Parameter output; // null when tied to the embedding

    private LlamaParameters(LlamaConfig config, Parameter embedding, List<Block> blocks, Parameter outputNorm,
                            Parameter output) {
        this.config = config;
        this.embedding = embedding;
        this.blocks = List.copyOf(blocks);
        this.outputNorm = outputNorm;
        this.output = output;
    }

    public LlamaConfig config() { return config; }

    public Parameter embedding() { return embedding; }

    public List<Block> blocks() { return blocks; }

    public Parameter outputNorm() { return outputNorm; }

    /** The output head: its own tensor, or the embedding when tied. */
    public Parameter head() { return output != null ? output : embedding; }

    public boolean tied() { return output == null; }

    /** Every parameter once, in file order (the tied head is the embedding, listed once). */
    public List<Parameter> all() {
        List<Parameter> l = new ArrayList<>();
        l.add(embedding);
        for (Block b : blocks) l.addAll(b.all());
        l.add(outputNorm);
        if (output != null) l.add(output);
        return l;
    }

    public long count() {
        return all().stream().mapToLong(Parameter::size).sum();
    }

    /**
     * Decodes every weight of a GGUF Llama model.
     * @throws IllegalArgumentException for Hugging Face names (the recovered model is written as GGUF, which needs a
     *                                  GGUF source), a missing tensor or a shape that does not fit the config
     */
    public static LlamaParameters load(Model model) {
        LlamaConfig c = LlamaConfig.of(model);
        if (c.layout() != WeightLayout.GGUF) {
            throw new IllegalArgumentException(model.source() + " is not a GGUF model; training reads GGUF Llama files");
        }
        Parameter embedding = matrix(model, "token_embd.weight", c.vocab(), c.dim());
        List<Block> blocks = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            blocks.add(new Block(vector(model, p + "attn_norm.weight", c.dim()),
                    matrix(model, p + "attn_q.weight", c.qDim(), c.dim()),
                    matrix(model, p + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(model, p + "attn_v.weight", c.kvDim(), c.dim()),
                    c.qkvBias() ? vector(model, p + "attn_q.bias", c.qDim()) : null,
                    c.qkvBias() ? vector(model, p + "attn_k.bias", c.kvDim()) : null,
                    c.qkvBias() ? vector(model, p + "attn_v.bias", c.kvDim()) : null,
                    matrix(model, p + "attn_output.weight", c.dim(), c.qDim()),
                    vector(model, p + "ffn_norm.weight", c.dim()),
                    matrix(model, p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    matrix(model, p + "ffn_up.weight", c.ffnDim(), c.dim()),
                    matrix(model, p + "ffn_down.weight", c.dim(), c.ffnDim())));
        }
        Parameter norm = vector(model, "output_norm.weight", c.dim());
        Parameter output = model.tensor("output.weight").isPresent() ? matrix(model, "output.weight", c.vocab(), c.dim()) : null;
        return new LlamaParameters(c, embedding, blocks, norm, output);
    }

    /**
     * Random weights for a config (tests): matrices uniform in ±{@code scale}, norms near 1, biases small.
     */
    public static LlamaParameters random(LlamaConfig c, boolean tied, long seed, float scale) {
        Random rnd = new Random(seed);
        Parameter embedding = Parameter.of("token_embd.weight", uniform(rnd, c.vocab() * c.dim(), scale), true);
        List<Block> blocks = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            blocks.add(new Block(norm(rnd, p + "attn_norm.weight", c.dim()),
                    Parameter.of(p + "attn_q.weight", uniform(rnd, c.qDim() * c.dim(), scale), true),
                    Parameter.of(p + "attn_k.weight", uniform(rnd, c.kvDim() * c.dim(), scale), true),
                    Parameter.of(p + "attn_v.weight", uniform(rnd, c.kvDim() * c.dim(), scale), true),
                    c.qkvBias() ? Parameter.of(p + "attn_q.bias", uniform(rnd, c.qDim(), 0.1f), false) : null,
                    c.qkvBias() ? Parameter.of(p + "attn_k.bias", uniform(rnd, c.kvDim(), 0.1f), false) : null,
                    c.qkvBias() ? Parameter.of(p + "attn_v.bias", uniform(rnd, c.kvDim(), 0.1f), false) : null,
                    Parameter.of(p + "attn_output.weight", uniform(rnd, c.dim() * c.qDim(), scale), true),
                    norm(rnd, p + "ffn_norm.weight", c.dim()),
                    Parameter.of(p + "ffn_gate.weight", uniform(rnd, c.ffnDim() * c.dim(), scale), true),
                    Parameter.of(p + "ffn_up.weight", uniform(rnd, c.ffnDim() * c.dim(), scale), true),
                    Parameter.of(p + "ffn_down.weight", uniform(rnd, c.dim() * c.ffnDim(), scale), true)));
        }
        Parameter outNorm = norm(rnd, "output_norm.weight", c.dim());
        Parameter output = tied ? null : Parameter.of("output.weight", uniform(rnd, c.vocab() * c.dim(), scale), true);
        return new LlamaParameters(c, embedding, blocks, outNorm, output);
    }

    private static float[] uniform(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextFloat() * 2 - 1) * scale;
        return a;
    }

    private static Parameter norm(Random rnd, String name, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = 1f + (rnd.nextFloat() - 0.5f) * 0.2f;
        return Parameter.of(name, a, false);
    }

    private static Parameter matrix(Model model, String name, int rows, int cols) {
        TensorInfo t = require(model, name);
        if (t.shape().rows() != rows || t.shape().rowLength() != cols) {
            throw new IllegalArgumentException(name + " is " + t.shape() + ", expected " + rows + " rows of " + cols);
        }
        return Parameter.of(name, decode(t), true);
    }

    private static Parameter vector(Model model, String name, int length) {
        TensorInfo t = require(model, name);
        if (t.parameters() != length) throw new IllegalArgumentException(name + " has " + t.parameters() + " elements, expected " + length);
        return Parameter.of(name, decode(t), false);
    }

    private static float[] decode(TensorInfo t) {
        if (Decoders.find(t.dtype()).isEmpty()) throw new IllegalArgumentException(t.name() + ": " + t.dtype() + " cannot be decoded to train");
        return Decoders.decodeAll(t);
    }

    private static TensorInfo require(Model model, String name) {
        return model.tensor(name).orElseThrow(() -> new IllegalArgumentException(model.source() + " has no tensor " + name));
    }
}
