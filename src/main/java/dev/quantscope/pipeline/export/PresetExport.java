package dev.quantscope.pipeline.export;

import dev.quantscope.format.Model;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.metrics.ModelMetrics;
import dev.quantscope.quant.metrics.TensorMetrics;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code llama-quantize IN OUT PRESET} does, byte for byte: a GGUF model exported with the preset's recipe
 * through {@link ModelExport}, the one GGUF path, with no stamp (llama-quantize writes none).
 */
public final class PresetExport {
    private PresetExport() {}

    public static QuantizeResult quantize(Model model, Preset preset, Path out, int threads, ProgressMonitor monitor)
            throws IOException {
        return quantize(model, preset, out, threads, monitor, null);
    }

    /**
     * @param imatrix null, or the importance matrix as {@code llama-quantize --imatrix} uses it
     * @throws IllegalArgumentException when the model is not GGUF, a tensor cannot be converted, or {@code out} is
     *                                  the input; {@link dev.quantscope.quant.preset.PresetNotApplicableException}
     *                                  (naming the tensor) when llama-quantize would refuse the preset
     * @throws java.util.concurrent.CancellationException when cancelled; nothing is left behind
     */
    public static QuantizeResult quantize(Model model, Preset preset, Path out, int threads, ProgressMonitor monitor,
                                          ImatrixFile imatrix) throws IOException {
        ExportOptions options = new ExportOptions(OutputFormat.GGUF, FloatFormat.F16, false, threads, StampMode.OFF,
                imatrix);
        ExportResult r = ModelExport.export(model, Recipe.preset(preset), out, options, monitor);
        List<TensorMetrics> metrics = r.tensors().stream().map(t -> new TensorMetrics(t.name(), t.sourceType(),
                DType.valueOf(t.storedAs()), new dev.quantscope.quant.ggml.QuantizedSize(t.schemeSize().elements(),
                t.fileBytes()), t.error())).toList();
        return new QuantizeResult(out, preset, new ModelMetrics(metrics), r.fileBytes(), threads, r.quantizeNanos(),
                r.writeNanos());
    }
}
