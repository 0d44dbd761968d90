package dev.quantscope.pipeline.export;

import dev.quantscope.pipeline.export.PresetExport;
import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.engine.llama.LlamaEngine;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.quant.imatrix.ImatrixComputation;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.imatrix.ImatrixFiles;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryQuantizerTest {

    @Test
    void presetBytesEqualWhatThePipelineWrites(@TempDir Path dir) throws Exception {
        for (Preset preset : new Preset[] {Preset.Q4_K_M, Preset.Q2_K}) {
            Path out = dir.resolve(preset + ".gguf");
            try (Model f32 = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
                PresetExport.quantize(f32, preset, out, 2, ProgressMonitor.NONE);
                ModelPlan plan = Plans.resolve(Recipe.preset(preset), f32);
                try (Model mem = InMemoryQuantizer.quantize(f32, plan, ProgressMonitor.NONE);
                     Model file = ModelOpener.open(out)) {
                    assertEquals(file.tensors().size(), mem.tensors().size());
                    int converted = 0;
                    for (TensorInfo t : mem.tensors()) {
                        TensorInfo w = file.tensor(t.name()).orElseThrow();
                        assertEquals(w.dtype(), t.dtype(), t.name());
                        assertEquals(w.shape().elementCount(), t.shape().elementCount(), t.name());
                        assertArrayEquals(w.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                                t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), preset + " " + t.name());
                        if (t.dtype() != DType.F32) converted++;
                    }
                    assertTrue(converted >= 5 * 7, preset + ": only " + converted + " tensors converted");
                    assertEquals(plan.bytes(), mem.tensorBytes());
                }
            }
        }
    }

    /**
     * With an importance matrix, the in-memory model holds the bytes {@code quantize --imatrix} writes (the CLI runs
     * {@link ModelExport} with the matrix read from its file), tensor for tensor, and the weighting really changes
     * some of them.
     */
    @Test
    void imatrixBytesEqualWhatQuantizeWithImatrixWrites(@TempDir Path dir) throws Exception {
        try (Model f32 = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            byte[] all = java.nio.file.Files.readAllBytes(SharedFiles.file("data/text/tinyshakespeare.txt"));
            String text = new String(java.util.Arrays.copyOf(all, 20_000), java.nio.charset.StandardCharsets.UTF_8);
            Path imatrixFile = dir.resolve("stories.imatrix.gguf");
            try (LlamaEngine engine = new LlamaEngine(f32, 128, 2)) {
                int[] tokens = Tokenizers.forModel(f32).encode(text, true);
                ImatrixFiles.writeGguf(ImatrixComputation.compute(engine, tokens, 128, 1, 0, false,
                        List.of("shakespeare"), ProgressMonitor.NONE), imatrixFile);
            }
            ImatrixFile imatrix = ImatrixFile.read(imatrixFile);
            for (Preset preset : new Preset[] {Preset.Q4_K_M, Preset.Q3_K_S}) {
                Path out = dir.resolve(preset + "-imatrix.gguf");
                ModelExport.export(f32, Recipe.preset(preset), out,
                        ExportOptions.forTarget(out).withThreads(2).withImatrix(imatrix), ProgressMonitor.NONE);
                ModelPlan plan = Plans.resolve(Recipe.preset(preset), f32, true);
                ModelPlan plain = Plans.resolve(Recipe.preset(preset), f32);
                int weighted = InMemoryQuantizer.weightedTensors(f32, plan, imatrix);
                // at least one matrix of each of the 5 layers (rows of 64 and 172 fall back to Q5_0, IQ4_NL...)
                assertTrue(weighted >= 5, preset + ": only " + weighted + " tensors weighted");
                try (Model mem = InMemoryQuantizer.quantize(f32, plan, imatrix, 2, ProgressMonitor.NONE);
                     Model unweighted = InMemoryQuantizer.quantize(f32, plain, ProgressMonitor.NONE);
                     Model file = ModelOpener.open(out)) {
                    assertEquals(file.tensors().size(), mem.tensors().size());
                    int changed = 0;
                    for (TensorInfo t : mem.tensors()) {
                        TensorInfo w = file.tensor(t.name()).orElseThrow();
                        assertEquals(w.dtype(), t.dtype(), t.name());
                        byte[] bytes = t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        assertArrayEquals(w.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), bytes,
                                preset + "+imatrix " + t.name());
                        TensorInfo u = unweighted.tensor(t.name()).orElseThrow();
                        if (u.dtype() == t.dtype()
                                && !java.util.Arrays.equals(u.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), bytes)) {
                            changed++;
                        }
                    }
                    System.out.println(preset + "+imatrix: " + weighted + " tensors weighted, " + changed
                            + " differ from the unweighted ones");
                    assertTrue(changed >= 5 && changed <= weighted, preset + ": " + changed + " tensors changed, "
                            + weighted + " weighted");
                    assertEquals(plan.bytes(), mem.tensorBytes());
                }
            }
        }
    }

    @Test
    void otherSchemesAreHeldDequantizedAndKeptTensorsAreShared() throws Exception {
        try (Model f32 = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            QuantScheme int4 = QuantScheme.parse("int4-sym-g32-rtn");
            ModelPlan plan = Plans.resolve(Recipe.of(int4), f32);
            try (Model mem = InMemoryQuantizer.quantize(f32, plan, ProgressMonitor.NONE)) {
                TensorInfo src = f32.tensor("blk.0.ffn_down.weight").orElseThrow();
                TensorInfo q = mem.tensor("blk.0.ffn_down.weight").orElseThrow();
                assertEquals(DType.F32, q.dtype());
                float[] x = Decoders.decodeAll(src);
                float[] y = Decoders.decodeAll(q);
                float[] expected = int4.dequantize(int4.quantize(x, (int) src.shape().rows(), (int) src.shape().rowLength()));
                assertArrayEquals(expected, y);
                // At most 16 levels per group of 32.
                assertTrue(java.util.stream.IntStream.range(0, 32).mapToObj(i -> y[i]).distinct().count() <= 16);
                // A norm is kept: the very same view, not a copy.
                assertSame(f32.tensor("blk.0.attn_norm.weight").orElseThrow(), mem.tensor("blk.0.attn_norm.weight").orElseThrow());
                // The reported size is the scheme's storage, not the F32 held for running it.
                assertTrue(plan.bytes() < mem.tensorBytes());
            }
        }
    }

    @Test
    void cancelledBeforeTheFirstTensor() throws Exception {
        try (Model f32 = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            ModelPlan plan = Plans.resolve(Recipe.preset(Preset.Q6_K), f32);
            ProgressMonitor cancelled = new ProgressMonitor() {
                @Override public void progress(long done, long total) {}
                @Override public boolean isCancelled() { return true; }
            };
            assertThrows(CancellationException.class, () -> InMemoryQuantizer.quantize(f32, plan, cancelled));
        }
    }
}
