package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

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
            int[] tokens = new TestSpmTokenizer(gguf).encode("Tim had a red ball. He threw it high.", true);
            for (int p = 0; p < tokens.length; p++) {
                float[] la = a.forward(tokens[p], p).clone();
                float[] lb = b.forward(tokens[p], p);
                for (int i = 0; i < la.length; i++) assertEquals(la[i], lb[i], 1e-4f, "pos " + p + " logit " + i);
            }
        }
    }

    @Test
    void ggufConfigIsReadFromMetadata() throws Exception {
        try (Model gguf = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            LlamaConfig c = LlamaConfig.of(gguf);
            assertEquals(new LlamaConfig("llama", WeightLayout.GGUF, 64, 5, 8, 4, 8, 172, 512, 2048, 8, 10000.0, 1.0,
                    RopeStyle.ADJACENT_PAIRS, 1e-5f, false), c);
        }
    }
}
