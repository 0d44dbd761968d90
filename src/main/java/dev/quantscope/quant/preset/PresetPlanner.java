package dev.quantscope.quant.preset;

import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufOutputOrder;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.tensor.DType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides, like llama-quantize, which ggml type every tensor of a model gets under a preset. Position-dependent
 * rules depend on counters that llama-quantize advances as it walks the tensors in its loader's order
 * ({@link GgufOutputOrder#LLAMA_QUANTIZE}), so the planner walks them in the same order and the choices come out
 * in the order of the output file.
 */
public final class PresetPlanner {
    private PresetPlanner() {}

    /** The choices for a GGUF model, quantized without an importance matrix. */
    public static List<TensorChoice> plan(Preset preset, GgufFile model) {
        return plan(preset, model, false);
    }

    /**
     * The choices for a GGUF model; {@code withImatrix}: as llama-quantize decides when given {@code --imatrix}
     * (its has_imatrix), which changes a few presets' choices.
     */
    public static List<TensorChoice> plan(Preset preset, GgufFile model, boolean withImatrix) {
        List<SourceTensor> tensors = new ArrayList<>();
        for (GgufTensorEntry e : model.tensors()) {
            DType type = DType.ofGgmlId(e.ggmlType()).orElseThrow();
            tensors.add(new SourceTensor(e.name(), e.ne(), type));
        }
        return plan(preset, ModelHparams.of(model), tensors, withImatrix);
    }

    /** {@link #plan(Preset, ModelHparams, List, boolean)} without an importance matrix. */
    public static List<TensorChoice> plan(Preset preset, ModelHparams hp, List<SourceTensor> tensors) {
        return plan(preset, hp, tensors, false);
    }

    /**
     * @param withImatrix whether the model is quantized with an importance matrix (llama-quantize's has_imatrix)
     * @throws PresetNotApplicableException when llama-quantize would refuse the model under this preset
     */
    public static List<TensorChoice> plan(Preset preset, ModelHparams hp, List<SourceTensor> tensors,
                                          boolean withImatrix) {
        List<SourceTensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(SourceTensor::name, GgufOutputOrder.LLAMA_QUANTIZE));

        // Counted over every tensor name, quantizable or not, before the walk (init_quantize_state_counters).
        int attnVCount = 0;
        boolean tied = true;
        for (SourceTensor t : ordered) {
            TensorCategory c = TensorCategory.of(t.name());
            if (c.isAttentionValueLike()) attnVCount++;
            if (c == TensorCategory.OUTPUT) tied = false;
        }

        int attnV = 0;
        int ffnDown = 0;
        int ffnGate = 0;
        int ffnUp = 0;
        List<TensorChoice> out = new ArrayList<>(ordered.size());
        for (SourceTensor t : ordered) {
            if (!QuantizableTensors.allowsQuantization(t.name(), t.ne())) {
                out.add(new TensorChoice(t, false, t.type(), t.type()));
                continue;
            }
            TensorCategory c = TensorCategory.of(t.name());
            int layer = switch (c) {
                case FFN_DOWN -> ffnLayer(t.name(), ffnDown++, hp);
                case FFN_GATE -> ffnLayer(t.name(), ffnGate++, hp);
                case FFN_UP -> ffnLayer(t.name(), ffnUp++, hp);
                default -> (int) GgufOutputOrder.blockNumber(t.name()); // at most 9 digits: fits
            };
            int attnVIndex = c.isAttentionValueLike() ? attnV++ : -1;
            TensorContext ctx = new TensorContext(t.name(), c, t.rowLength(), layer, hp.nLayer(), attnVIndex,
                    attnVCount, tied, hp);
            DType wanted = PresetRules.ruleType(preset, ctx, withImatrix);
            DType type = PresetRules.fallback(t.name(), wanted, t.rowLength());
            out.add(new TensorChoice(t, true, wanted, type));
        }
        return out;
    }

    /**
     * The layer an ffn tensor belongs to. In a dense model llama-quantize simply counts the ffn tensors of that
     * kind; in a mixture of experts, whose expert tensors need not come one per layer in order, it parses "blk.N."
     * from the name and insists that it is a valid layer.
     */
    private static int ffnLayer(String name, int counted, ModelHparams hp) {
        if (hp.nExpert() <= 1) return counted;
        long layer = GgufOutputOrder.blockNumber(name);
        if (layer < 0 || layer >= hp.nLayer()) {
            throw new PresetNotApplicableException(name, "has no layer llama-quantize can tell: an expert tensor's "
                    + "name must start blk.N. with N below the model's " + hp.nLayer() + " layers");
        }
        return (int) layer;
    }
}
