package dev.quantscope.engine.llama;

import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HuggingFaceLayoutTest {

    @Test
    void huggingFaceLayoutWithHalfSplitRopeGivesTheSameLogitsAsGguf() throws Exception {
        try (Model gguf = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             Model hf = InMemoryModels.huggingFace(gguf);
             LlamaEngine a = new LlamaEngine(gguf, 64, 1);
             LlamaEngine b = new LlamaEngine(hf, 64, 1)) {
            assertEquals(WeightLayout.HUGGING_FACE, b.config().layout());
            assertEquals(RopeStyle.HALF_SPLIT, b.config().ropeStyle());
            assertEquals(RopeStyle.ADJACENT_PAIRS, a.config().ropeStyle());
            assertEquals(a.config().kvHeads(), b.config().kvHeads());
            int[] tokens = Tokenizers.forModel(gguf).encode("Tim had a red ball. He threw it high.", true);
            for (int p = 0; p < tokens.length; p++) {
                float[] la = a.forward(tokens[p], p).clone();
                float[] lb = b.forward(tokens[p], p);
                for (int i = 0; i < la.length; i++) assertEquals(la[i], lb[i], 1e-4f, "pos " + p + " logit " + i);
            }
        }
    }

    @Test
    void aSafetensorsFolderWithConfigJsonRunsLikeTheGguf(@TempDir Path dir) throws Exception {
        try (Model gguf = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             Model hf = InMemoryModels.huggingFace(gguf)) {
            writeFolder(hf, dir);
        }
        try (Model gguf = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             Model folder = ModelOpener.open(dir);
             LlamaEngine a = new LlamaEngine(gguf, 32, 1);
             LlamaEngine b = new LlamaEngine(folder, 32, 1)) {
            assertEquals(WeightLayout.HUGGING_FACE, b.config().layout());
            int[] tokens = Tokenizers.forModel(gguf).encode("A little bird sang.", true);
            for (int p = 0; p < tokens.length; p++) {
                float[] la = a.forward(tokens[p], p).clone();
                float[] lb = b.forward(tokens[p], p);
                for (int i = 0; i < la.length; i++) assertEquals(la[i], lb[i], 1e-4f, "pos " + p + " logit " + i);
            }
        }
    }

    /** model.safetensors (F32, row-major) and config.json, as a Hugging Face folder holds them. */
    private static void writeFolder(Model hf, Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (TensorInfo t : hf.tensors()) {
            header.put(t.name(), Map.of("dtype", "F32", "shape", t.shape().dims(), "data_offsets", List.of(offset, offset + t.byteSize())));
            offset += t.byteSize();
        }
        byte[] head = json.writeValueAsBytes(header);
        int padded = (head.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(head);
            for (int i = head.length; i < padded; i++) out.write(' ');
            for (TensorInfo t : hf.tensors()) out.write(t.data().toArray(ValueLayout.JAVA_BYTE));
        }
        Files.write(dir.resolve("config.json"), json.writeValueAsBytes(hf.metadata().get("config.json")));
    }

    @Test
    void ggufConfigIsReadFromMetadata() throws Exception {
        try (Model gguf = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            LlamaConfig c = LlamaConfig.of(gguf);
            assertEquals(new LlamaConfig("llama", WeightLayout.GGUF, 64, 5, 8, 4, 8, 172, 512, 2048, 8, 10000.0,
                    new RopeScaling.None(), java.util.List.of(), RopeStyle.ADJACENT_PAIRS, 1e-5f, false), c);
        }
    }
}
