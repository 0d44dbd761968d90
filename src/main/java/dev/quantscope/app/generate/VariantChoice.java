package dev.quantscope.app.generate;

import dev.quantscope.format.Model;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preview.PlanGgufWriter;
import dev.quantscope.quant.preview.Plans;
import dev.quantscope.quant.preview.Target;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Which compressed variant runs next to the original: a llama-quantize preset, or one ggml type for every tensor. */
public sealed interface VariantChoice {

    /** What the page and its legend call the variant. */
    String label();

    /** Writes the variant of {@code model} as a GGUF file at {@code out}. */
    void write(Model model, Path out, int threads, ProgressMonitor monitor) throws IOException;

    /** The byte-exact llama-quantize output for the preset. */
    record OfPreset(Preset preset) implements VariantChoice {
        @Override
        public String label() { return preset.name(); }

        @Override
        public void write(Model model, Path out, int threads, ProgressMonitor monitor) throws IOException {
            QuantizePipeline.quantize(model, preset, out, threads, monitor);
        }
    }

    /** Every quantizable tensor as {@code type}; tensors whose rows do not fit the type stay as they are. */
    record OfType(DType type) implements VariantChoice {
        public OfType {
            new Target.Stored(type); // refuses types the quantizers cannot write, here rather than mid-run
        }

        @Override
        public String label() { return "all " + type.name(); }

        @Override
        public void write(Model model, Path out, int threads, ProgressMonitor monitor) {
            PlanGgufWriter.write(model, Plans.custom(label(), model, new Target.Stored(type), List.of()), out, monitor);
        }
    }
}
