package dev.quantscope.distill.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.export.OutputFormat;
import dev.quantscope.pipeline.export.StampMode;
import dev.quantscope.prune.WritableCopies;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.train.optim.Parameter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a recovered student as GGUF the way every export is written ({@link ModelExport}: temporary file, verified,
 * renamed, never over the input): the student's metadata and tokenizer, every tensor in the type the student file
 * has it (the trained F32 values rounded to F16 or BF16 where the file stores those; a zero stays zero).
 */
public final class RecoveredModel {
    private RecoveredModel() {}

    /**
     * @throws IllegalArgumentException when a trained tensor is stored quantized in the student (its new values
     *                                  would have to be quantized again: recover the unquantized pruned model, then
     *                                  quantize it)
     */
    public static ExportResult write(Model student, List<Parameter> trained, Path out, int threads,
                                     ProgressMonitor monitor) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (Parameter p : trained) {
            TensorInfo t = student.tensor(p.name()).orElseThrow(
                    () -> new IllegalArgumentException(student.source() + " has no tensor " + p.name()));
            if (FloatFormat.of(t.dtype()).isEmpty()) {
                throw new IllegalArgumentException(student.source() + ": " + p.name() + " is stored as " + t.dtype()
                        + ", and recovery writes F32, F16 or BF16 only: recover the unquantized pruned model, then quantize it");
            }
            names.add(p.name());
        }
        WritableCopies copies = WritableCopies.of(student, names);
        try (Model model = copies.model()) {
            for (Parameter p : trained) copies.write(p.name(), p.values());
            ExportOptions options = new ExportOptions(OutputFormat.GGUF, FloatFormat.F32, false, threads, StampMode.OFF);
            return ModelExport.export(model, Recipe.of(Keep.INSTANCE), out, options, monitor);
        }
    }
}
