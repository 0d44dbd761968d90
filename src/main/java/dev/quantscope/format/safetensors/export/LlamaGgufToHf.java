package dev.quantscope.format.safetensors.export;

import dev.quantscope.format.Model;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a GGUF Llama into tensors Hugging Face transformers' {@code LlamaForCausalLM} loads: HF names, row-major
 * shapes, and the attention rows in HF's order.
 *
 * <p><b>Names.</b> {@code token_embd → model.embed_tokens}, {@code output_norm → model.norm},
 * {@code output → lm_head}, and per block {@code blk.N.X → model.layers.N.Y} with attn_norm → input_layernorm,
 * attn_q/k/v → self_attn.q_proj/k_proj/v_proj, attn_output → self_attn.o_proj, ffn_norm →
 * post_attention_layernorm, ffn_gate/up/down → mlp.gate_proj/up_proj/down_proj ({@code .weight} and
 * {@code .bias} alike). {@code rope_freqs} and {@code attn_rot_embd} have no HF tensor (transformers computes
 * them from config.json) and are skipped, reported in {@link Plan#skipped()}.
 *
 * <p><b>Shapes.</b> GGUF lists dimensions fastest first (ne), so an HF Linear weight {@code [out, in]} is ne
 * {@code [in, out]}; the bytes are the same row-major buffer, so reversing the dimensions is all it takes.
 *
 * <p><b>RoPE permutation.</b> llama.cpp rotates adjacent pairs (element 2j with 2j+1 of each head), HF's Llama
 * rotates halves (j with j + head_dim/2). llama.cpp's {@code convert_hf_to_gguf.py} therefore reorders the output
 * rows of {@code q_proj} (with n_head heads) and {@code k_proj} (with n_head_kv heads) when it converts:
 * viewing the rows as {@code [heads, 2, head_dim/2]} it swaps the last two axes, so GGUF row {@code h·d + 2j + i}
 * holds HF row {@code h·d + i·d/2 + j} ({@code d} = head_dim, {@code i ∈ {0,1}}, {@code j < d/2}). Exporting back
 * applies the inverse: HF row {@code h·d + i·d/2 + j} is read from GGUF row {@code h·d + 2j + i}. Only rows
 * move (whole input rows), so a quantized row decodes the same. A GGUF written from HF by that script, as nearly
 * every Llama GGUF is, then loads in transformers with the same outputs; without the inverse, attention would
 * silently rotate the wrong element pairs.
 */
public final class LlamaGgufToHf {
    private LlamaGgufToHf() {}

    /** What to write, and which GGUF tensors have no HF counterpart. */
    public record Plan(List<DequantizedTensor> tensors, List<String> skipped) {
        public Plan {
            tensors = List.copyOf(tensors);
            skipped = List.copyOf(skipped);
        }
    }

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.([a-z_]+)\\.(weight|bias)");
    private static final Pattern TOP = Pattern.compile("([a-z_]+)\\.(weight|bias)");

    private static final Map<String, String> BLOCK_NAMES = Map.of(
            "attn_norm", "input_layernorm",
            "attn_q", "self_attn.q_proj",
            "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj",
            "attn_output", "self_attn.o_proj",
            "ffn_norm", "post_attention_layernorm",
            "ffn_gate", "mlp.gate_proj",
            "ffn_up", "mlp.up_proj",
            "ffn_down", "mlp.down_proj");

    private static final Map<String, String> TOP_NAMES = Map.of(
            "token_embd", "model.embed_tokens",
            "output_norm", "model.norm",
            "output", "lm_head");

    /** The HF name of a GGUF Llama tensor, or empty when HF has no such tensor. */
    public static Optional<String> hfName(String ggufName) {
        Matcher b = BLOCK.matcher(ggufName);
        if (b.matches()) {
            String part = BLOCK_NAMES.get(b.group(2));
            return part == null ? Optional.empty()
                    : Optional.of("model.layers." + b.group(1) + "." + part + "." + b.group(3));
        }
        Matcher t = TOP.matcher(ggufName);
        if (t.matches() && TOP_NAMES.containsKey(t.group(1))) {
            return Optional.of(TOP_NAMES.get(t.group(1)) + "." + t.group(2));
        }
        return Optional.empty();
    }

    /**
     * The GGUF row that HF row {@code hfRow} comes from, for a q or k projection of {@code heads} heads over
     * {@code rows} rows (the inverse of convert_hf_to_gguf.py's permute).
     */
    public static LongUnaryOperator unpermuteRope(long rows, long heads) {
        if (heads <= 0 || rows % (2 * heads) != 0) {
            throw new IllegalArgumentException(rows + " rows do not split into " + heads + " heads of even size");
        }
        long headDim = rows / heads;
        long half = headDim / 2;
        return hfRow -> {
            long h = hfRow / headDim;
            long w = hfRow % headDim;
            long i = w / half;
            long j = w % half;
            return h * headDim + 2 * j + i;
        };
    }

    /** Plans the export of a GGUF Llama ({@code general.architecture = llama}) in {@code format}. */
    public static Plan plan(Model gguf, FloatFormat format) {
        if (!"llama".equals(gguf.metadata().get("general.architecture"))) {
            throw new IllegalArgumentException("not a GGUF Llama: general.architecture is "
                    + gguf.metadata().get("general.architecture"));
        }
        long heads = number(gguf, "llama.attention.head_count");
        long kvHeads = gguf.metadata().containsKey("llama.attention.head_count_kv")
                ? number(gguf, "llama.attention.head_count_kv") : heads;
        List<DequantizedTensor> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (TensorInfo t : gguf.tensors()) {
            Optional<String> name = hfName(t.name());
            if (name.isEmpty()) {
                skipped.add(t.name());
                continue;
            }
            if (t.shape().order() != Shape.Order.FASTEST_FIRST) {
                throw new IllegalArgumentException(t.name() + " is not in GGUF's dimension order");
            }
            long[] ne = t.shape().dims();
            long[] hfShape = new long[ne.length];
            for (int d = 0; d < ne.length; d++) hfShape[d] = ne[ne.length - 1 - d];
            RowSource values = RowSource.of(t);
            boolean q = t.name().matches("blk\\.\\d+\\.attn_q\\.(weight|bias)");
            boolean k = t.name().matches("blk\\.\\d+\\.attn_k\\.(weight|bias)");
            if (q || k) {
                // a bias is one value per output row: permute it element by element
                if (ne.length == 1) values = RowSource.of(t, 1);
                values = values.permuteRows(unpermuteRope(values.rows(), q ? heads : kvHeads));
            }
            out.add(new DequantizedTensor(name.get(), hfShape, format, values));
        }
        return new Plan(out, skipped);
    }

    private static long number(Model m, String key) {
        if (m.metadata().get(key) instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("GGUF key " + key + " is missing or not a number");
    }
}
