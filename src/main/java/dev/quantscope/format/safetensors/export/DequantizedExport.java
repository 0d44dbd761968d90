package dev.quantscope.format.safetensors.export;

import dev.quantscope.format.safetensors.SafetensorsWriter;
import dev.quantscope.format.safetensors.SafetensorsWriterLayout;
import dev.quantscope.task.ProgressMonitor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes float tensors (dequantized from any decodable dtype) as one safetensors file in F32, F16 or BF16.
 * {@code __metadata__} always carries {@code "format": "pt"}: Hugging Face transformers refuses a safetensors
 * checkpoint whose metadata lacks a known format.
 */
public final class DequantizedExport {
    private DequantizedExport() {}

    public static SafetensorsWriterLayout write(List<DequantizedTensor> tensors, Map<String, String> metadata,
                                                Path target, Collection<Path> inputs, ProgressMonitor monitor)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent("format", "pt");
        return SafetensorsWriter.write(tensors.stream().map(DequantizedTensor::toWriterTensor).toList(), meta,
                target, inputs, monitor);
    }
}
