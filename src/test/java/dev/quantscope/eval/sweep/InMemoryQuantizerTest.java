package dev.quantscope.eval.sweep;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipePlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
                QuantizePipeline.quantize(f32, preset, out, 2, ProgressMonitor.NONE);
                RecipePlan plan = Recipe.preset(preset).resolve(f32);
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

    @Test
    void otherSchemesAreHeldDequantizedAndKeptTensorsAreShared() throws Exception {
        try (Model f32 = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"))) {
            QuantScheme int4 = QuantScheme.parse("int4-sym-g32-rtn");
            RecipePlan plan = Recipe.of(int4).resolve(f32);
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
            RecipePlan plan = Recipe.preset(Preset.Q6_K).resolve(f32);
            ProgressMonitor cancelled = new ProgressMonitor() {
                @Override public void progress(long done, long total) {}
                @Override public boolean isCancelled() { return true; }
            };
            assertThrows(CancellationException.class, () -> InMemoryQuantizer.quantize(f32, plan, cancelled));
        }
    }
}
