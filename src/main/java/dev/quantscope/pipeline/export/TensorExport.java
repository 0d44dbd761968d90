package dev.quantscope.pipeline.export;

import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;

import java.util.Objects;

/**
 * What one source tensor became in an export.
 *
 * @param name       the source tensor's name
 * @param outputName its name in the file (a Hugging Face name for a GGUF Llama exported as safetensors; for a
 *                   packed Linear, the module, whose tensors are {@code .weight_packed}, {@code .weight_scale}…)
 * @param sourceType its type in the source
 * @param scheme     the scheme the recipe gave it
 * @param storedAs   how the file holds it: a ggml type ("Q4_K"), "F16 dequantized", "int4 packed"
 * @param schemeSize elements and bytes under the scheme (its own codes and scales: the bits per weight of the
 *                   scheme, also when the file holds it dequantized)
 * @param fileBytes  bytes the tensor's data takes in the file
 * @param error      the file's values against the source's; {@link ErrorMetrics#NONE} for a copy that cannot be
 *                   decoded
 */
public record TensorExport(String name, String outputName, DType sourceType, QuantScheme scheme, String storedAs,
                           QuantizedSize schemeSize, long fileBytes, ErrorMetrics error) {
    public TensorExport {
        Objects.requireNonNull(name);
        Objects.requireNonNull(outputName);
        Objects.requireNonNull(sourceType);
        Objects.requireNonNull(scheme);
        Objects.requireNonNull(storedAs);
        Objects.requireNonNull(schemeSize);
        Objects.requireNonNull(error);
    }
}
