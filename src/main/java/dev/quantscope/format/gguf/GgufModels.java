package dev.quantscope.format.gguf;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GGUF models that live in memory before they are written: a {@link GgufOutput} opened as a {@link Model} (what a
 * model rewriter hands on, so the next step can quantize it as if it had been read from a file), and the way back.
 */
public final class GgufModels {
    private GgufModels() {}

    /**
     * {@code output} as an open model. Its {@link Model#details()} is the {@link GgufFile} the output would be once
     * written (offsets and data offset included), so a writer or a quantizer finds the typed key/values it needs.
     *
     * @param arena owns the tensors' bytes; closing the model closes it
     */
    public static Model inMemory(Path source, GgufOutput output, Arena arena) {
        GgufOutputLayout layout = GgufOutputLayout.of(output);
        long[] offsets = layout.offsets();
        List<GgufTensorEntry> entries = new ArrayList<>(output.tensors().size());
        List<TensorInfo> tensors = new ArrayList<>(output.tensors().size());
        for (int i = 0; i < output.tensors().size(); i++) {
            GgufOutputTensor t = output.tensors().get(i);
            long[] ne = t.storedNe();
            entries.add(new GgufTensorEntry(t.name(), ne, t.type().ggmlId(), offsets[i]));
            tensors.add(new TensorInfo(t.name(), Shape.ggml(ne), t.type(), t.byteSize(), t.data()));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (GgufKv kv : output.metadata()) metadata.put(kv.key(), GgufReader.plain(kv));
        GgufFile file = new GgufFile(GgufOutputLayout.VERSION, layout.alignment(), layout.dataOffset(),
                output.metadata(), entries);
        return new Model(source, ModelFormat.GGUF, tensors, metadata, arena, file);
    }

    /** What writing {@code model}, a GGUF model read from a file or made by {@link #inMemory}, unchanged takes. */
    public static GgufOutput outputOf(Model model) {
        if (!(model.details() instanceof GgufFile file)) {
            throw new IllegalArgumentException(model.source().getFileName() + " is not a GGUF model");
        }
        List<GgufOutputTensor> tensors = new ArrayList<>(model.tensors().size());
        for (TensorInfo t : model.tensors()) {
            tensors.add(new GgufOutputTensor(t.name(), t.shape().dims(), t.dtype(), t.data()));
        }
        return new GgufOutput(file.metadata(), tensors);
    }
}
