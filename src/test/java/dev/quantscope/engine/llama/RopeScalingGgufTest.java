package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GGUF files carrying Llama 3's {@code rope_freqs.weight} or YaRN keys (stories260K with those added, written by
 * {@link GgufWriter}) load, and their scaling reaches the forward pass: the first position, where RoPE only
 * scales (a one-key softmax ignores that), gives the plain model's logits; later positions differ.
 */
class RopeScalingGgufTest {

    @TempDir
    Path dir;

    private static final int[] TOKENS = {1, 403, 407, 261, 378, 429, 300, 270};

    /** stories260K plus {@code extra} keys and, when given, a rope_freqs.weight tensor. */
    private Path variant(String name, List<GgufKv> extra, float[] ropeFreqs) throws Exception {
        Path out = dir.resolve(name);
        try (Model m = ModelOpener.open(SharedFiles.file("models/stories260K.gguf")); Arena arena = Arena.ofConfined()) {
            List<GgufKv> kvs = new ArrayList<>(((GgufFile) m.details()).metadata());
            kvs.addAll(extra);
            List<GgufOutputTensor> tensors = new ArrayList<>();
            if (ropeFreqs != null) {
                MemorySegment seg = arena.allocate(ropeFreqs.length * 4L, 64);
                MemorySegment.copy(ropeFreqs, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, ropeFreqs.length);
                tensors.add(new GgufOutputTensor("rope_freqs.weight", new long[] {ropeFreqs.length}, DType.F32, seg));
            }
            for (TensorInfo t : m.tensors()) tensors.add(new GgufOutputTensor(t.name(), t.shape().dims(), t.dtype(), t.data()));
            GgufWriter.write(new GgufOutput(kvs, tensors), out, List.of(), ProgressMonitor.NONE);
        }
        return out;
    }

    private static float[][] logits(Path file) throws Exception {
        try (Model m = ModelOpener.open(file); LlamaEngine e = new LlamaEngine(m, 16, 1)) {
            float[][] out = new float[TOKENS.length][];
            for (int p = 0; p < TOKENS.length; p++) out[p] = e.forward(TOKENS[p], p).clone();
            return out;
        }
    }

    private static void assertScalingReachesTheForwardPass(float[][] plain, float[][] scaled) {
        assertArrayEquals(plain[0], scaled[0], "position 0: RoPE is the identity (times a magnitude softmax ignores)");
        for (int p = 1; p < TOKENS.length; p++) {
            for (float f : scaled[p]) assertTrue(Float.isFinite(f), "position " + p);
            assertFalse(Arrays.equals(plain[p], scaled[p]), "position " + p + " unchanged by the scaling");
        }
    }

    @Test
    void llama3FrequencyFactorsLoadAndApply() throws Exception {
        float[] factors = {1f, 1.5f, 4f, 8f}; // rope dimension 8: four pairs
        Path file = variant("freqs.gguf", List.of(), factors);
        try (Model m = ModelOpener.open(file)) {
            LlamaConfig c = LlamaConfig.of(m);
            assertEquals(List.of(1f, 1.5f, 4f, 8f), c.ropeFreqFactors());
            assertEquals(new RopeScaling.None(), c.ropeScaling());
        }
        float[][] plain = logits(SharedFiles.file("models/stories260K.gguf"));
        assertScalingReachesTheForwardPass(plain, logits(file));
        // factors of 1 are the plain model, bit for bit
        assertArrayEquals(plain, logits(variant("ones.gguf", List.of(), new float[] {1f, 1f, 1f, 1f})));
    }

    @Test
    void yarnKeysLoadAndApply() throws Exception {
        Path file = variant("yarn.gguf", List.of(
                new GgufKv("llama.rope.scaling.type", GgufValueType.STRING, "yarn"),
                new GgufKv("llama.rope.scaling.factor", GgufValueType.FLOAT32, 4.0),
                new GgufKv("llama.rope.scaling.original_context_length", GgufValueType.UINT32, 512L),
                new GgufKv("llama.rope.scaling.attn_factor", GgufValueType.FLOAT32, 1.0)), null);
        try (Model m = ModelOpener.open(file)) {
            LlamaConfig c = LlamaConfig.of(m);
            assertEquals(new RopeScaling.Yarn(4.0, 512, 32, 1, 0.1 * Math.log(4.0) + 1), c.ropeScaling());
            assertEquals(List.of(), c.ropeFreqFactors());
        }
        assertScalingReachesTheForwardPass(logits(SharedFiles.file("models/stories260K.gguf")), logits(file));
    }
}
