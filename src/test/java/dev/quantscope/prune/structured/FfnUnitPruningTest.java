package dev.quantscope.prune.structured;

import dev.quantscope.testing.LlamaCpp;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.quantscope.prune.structured.PrunedLlamas.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FfnUnitPruningTest {

    @TempDir
    Path dir;

    @Test
    void halfTheFfnUnitsGoFromEveryBlockAndTheFileStillRunsHereAndInLlamaCpp() throws Exception {
        Path out = dir.resolve("stories-ffn50.gguf");
        try (Model source = ModelOpener.open(stories())) {
            Calibration cal = calibrate(source);
            try (Model pruned = StructuredPruner.prune(source, List.of(new StructuredCut.FfnUnits(0.5)),
                    new Importance.Calibrated(cal))) {
                StructuredPruner.write(pruned, out, dev.quantscope.task.ProgressMonitor.NONE);
            }
            assertTrue(Files.size(out) < Files.size(stories()), "the pruned file is not smaller");
            try (Model reopened = reopen(out)) {
                assertEquals(86, intKey(reopened, "llama.feed_forward_length"));
                assertEquals(5, intKey(reopened, "llama.block_count"));
                assertEquals(8, intKey(reopened, "llama.attention.head_count"));
                for (int l = 0; l < 5; l++) {
                    String p = "blk." + l + ".";
                    assertEquals(Shape.ggml(64, 86), reopened.tensor(p + "ffn_gate.weight").orElseThrow().shape());
                    assertEquals(Shape.ggml(64, 86), reopened.tensor(p + "ffn_up.weight").orElseThrow().shape());
                    assertEquals(Shape.ggml(86, 64), reopened.tensor(p + "ffn_down.weight").orElseThrow().shape());
                    // A kept unit keeps its gate row, its up row and its down column exactly.
                    int[] units = sourceRowsOf(rows(reopened.tensor(p + "ffn_gate.weight").orElseThrow()),
                            rows(source.tensor(p + "ffn_gate.weight").orElseThrow()));
                    assertRowsKept(rows(reopened.tensor(p + "ffn_up.weight").orElseThrow()),
                            rows(source.tensor(p + "ffn_up.weight").orElseThrow()), units, p + "ffn_up");
                    assertRowsKept(transpose(rows(reopened.tensor(p + "ffn_down.weight").orElseThrow())),
                            transpose(rows(source.tensor(p + "ffn_down.weight").orElseThrow())), units, p + "ffn_down columns");
                    assertSameValues(reopened.tensor(p + "attn_q.weight").orElseThrow(), source.tensor(p + "attn_q.weight").orElseThrow());
                }
                String story = generate(reopened, 12);
                System.out.println("FFN 50 %, engine: Once upon a time" + story);
            }
        }
        System.out.println("FFN 50 %, llama.cpp: " + LlamaCpp.complete(out));
    }

    @Test
    void anAlignedWidthIsAMultipleOfTheAlignmentAndWeightOnlyScoresNeedNoText() throws Exception {
        try (Model source = ModelOpener.open(stories());
             Model pruned = StructuredPruner.prune(source, List.of(new StructuredCut.FfnUnits(0.5, 32)),
                     Importance.WEIGHT_ONLY)) {
            // 86 kept units round to the nearest multiple of 32
            assertEquals(96, intKey(pruned, "llama.feed_forward_length"));
            assertEquals(Shape.ggml(96, 64), pruned.tensor("blk.3.ffn_down.weight").orElseThrow().shape());
            assertTrue(generate(pruned, 4).length() > 0);
        }
    }

    @Test
    void anF16ModelKeepsAK256QuantizableWidth() throws Exception {
        Path synth = dev.quantscope.testing.SharedFiles.file("models/synth-llama-dev-f16.gguf");
        try (Model source = ModelOpener.open(synth);
             Model pruned = StructuredPruner.prune(source, List.of(new StructuredCut.FfnUnits(0.6, 256)),
                     Importance.WEIGHT_ONLY)) {
            // 768 units, 40 % kept is 307, nearest multiple of 256
            assertEquals(256, intKey(pruned, "llama.feed_forward_length"));
            var down = pruned.tensor("blk.1.ffn_down.weight").orElseThrow();
            assertEquals(Shape.ggml(256, 256), down.shape());
            assertEquals(dev.quantscope.tensor.DType.F16, down.dtype());
            int[] units = sourceRowsOf(rows(pruned.tensor("blk.1.ffn_up.weight").orElseThrow()),
                    rows(source.tensor("blk.1.ffn_up.weight").orElseThrow()));
            assertRowsKept(transpose(rows(down)), transpose(rows(source.tensor("blk.1.ffn_down.weight").orElseThrow())),
                    units, "blk.1.ffn_down columns");
            // what the alignment is for: the pipeline's Q4_K_M plan of the in-memory model gives ffn_down a K-quant
            var plan = dev.quantscope.quant.preset.PresetPlanner.plan(dev.quantscope.quant.preset.Preset.Q4_K_M,
                    (dev.quantscope.format.gguf.GgufFile) pruned.details());
            var downType = plan.stream().filter(c -> c.name().equals("blk.1.ffn_down.weight")).findFirst().orElseThrow().type();
            assertEquals(256, downType.blockElements(), "ffn_down is planned as " + downType);
        }
    }

    @Test
    void aCancelledPruneStopsBetweenTensors() throws Exception {
        dev.quantscope.task.ProgressMonitor cancelled = new dev.quantscope.task.ProgressMonitor() {
            @Override public void progress(long done, long total) {}
            @Override public boolean isCancelled() { return true; }
        };
        try (Model source = ModelOpener.open(stories())) {
            org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CancellationException.class,
                    () -> StructuredPruner.prune(source, List.of(new StructuredCut.FfnUnits(0.5)), Importance.WEIGHT_ONLY,
                            cancelled));
        }
    }
}
