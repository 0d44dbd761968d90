package dev.quantscope.quant.preview;

import dev.quantscope.quant.ggml.QuantizedSize;

import java.util.List;
import java.util.Optional;

/**
 * What every tensor of a model becomes under one choice (a preset or a custom scheme with rules), with the exact
 * sizes: no quantization is needed to know them.
 *
 * @param label  the choice's name, e.g. "Q4_K_M" or "custom: INT4 asym g128"
 * @param preset the llama-quantize preset, when the plan is one
 */
public record ModelPlan(String label, List<TensorPlan> tensors, Optional<dev.quantscope.quant.preset.Preset> preset) {

    public ModelPlan {
        tensors = List.copyOf(tensors);
    }

    /** Storage of all tensors together. */
    public QuantizedSize total() {
        QuantizedSize s = QuantizedSize.NONE;
        for (TensorPlan t : tensors) s = s.plus(t.size());
        return s;
    }

    public long bytes() { return total().bytes(); }

    public double bitsPerWeight() { return total().bitsPerWeight(); }

    public Optional<TensorPlan> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Whether every tensor has a ggml type, so the plan can be written as GGUF. */
    public boolean ggufWritable() {
        return tensors.stream().allMatch(t -> t.target().ggmlType(t.source()).isPresent());
    }
}
