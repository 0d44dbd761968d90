package dev.quantscope.prune.structured;

import dev.quantscope.testing.LlamaCpp;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.quantscope.prune.structured.PrunedLlamas.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadPruningTest {

    @TempDir
    Path dir;

    @Test
    void halfTheKvGroupsGoWithTheirQueryHeadsAndTheFileRunsHereAndInLlamaCpp() throws Exception {
        Path out = dir.resolve("stories-heads50.gguf");
        try (Model source = ModelOpener.open(stories())) {
            Calibration cal = calibrate(source);
            try (Model pruned = StructuredPruner.prune(source, List.of(new StructuredCut.KvGroups(0.5)),
                    new Importance.Calibrated(cal))) {
                StructuredPruner.write(pruned, out, ProgressMonitor.NONE);
            }
            assertTrue(Files.size(out) < Files.size(stories()), "the pruned file is not smaller");
            try (Model reopened = reopen(out)) {
                // 4 KV heads with 2 query heads each: 2 groups go, so 4 query heads and 2 KV heads of 8 dimensions stay
                assertEquals(4, intKey(reopened, "llama.attention.head_count"));
                assertEquals(2, intKey(reopened, "llama.attention.head_count_kv"));
                assertEquals(8, intKey(reopened, "llama.attention.key_length"));
                assertEquals(8, intKey(reopened, "llama.attention.value_length"));
                assertEquals(172, intKey(reopened, "llama.feed_forward_length"));
                for (int l = 0; l < 5; l++) {
                    String p = "blk." + l + ".";
                    assertEquals(Shape.ggml(64, 32), reopened.tensor(p + "attn_q.weight").orElseThrow().shape());
                    assertEquals(Shape.ggml(64, 16), reopened.tensor(p + "attn_k.weight").orElseThrow().shape());
                    assertEquals(Shape.ggml(64, 16), reopened.tensor(p + "attn_v.weight").orElseThrow().shape());
                    assertEquals(Shape.ggml(32, 64), reopened.tensor(p + "attn_output.weight").orElseThrow().shape());
                    int[] kvRows = sourceRowsOf(rows(reopened.tensor(p + "attn_k.weight").orElseThrow()),
                            rows(source.tensor(p + "attn_k.weight").orElseThrow()));
                    int[] groups = wholeHeads(kvRows, 8);
                    // each kept group brings its two query heads, its value rows and their attn_output columns
                    int[] qRows = new int[32];
                    int i = 0;
                    for (int g : groups) for (int h = 2 * g; h < 2 * g + 2; h++) for (int d = 0; d < 8; d++) qRows[i++] = h * 8 + d;
                    assertRowsKept(rows(reopened.tensor(p + "attn_q.weight").orElseThrow()),
                            rows(source.tensor(p + "attn_q.weight").orElseThrow()), qRows, p + "attn_q");
                    assertRowsKept(rows(reopened.tensor(p + "attn_v.weight").orElseThrow()),
                            rows(source.tensor(p + "attn_v.weight").orElseThrow()), kvRows, p + "attn_v");
                    assertRowsKept(transpose(rows(reopened.tensor(p + "attn_output.weight").orElseThrow())),
                            transpose(rows(source.tensor(p + "attn_output.weight").orElseThrow())), qRows,
                            p + "attn_output columns");
                }
                System.out.println("KV groups 50 %, engine: Once upon a time" + generate(reopened, 12));
            }
        }
        System.out.println("KV groups 50 %, llama.cpp: " + LlamaCpp.complete(out));
    }

    @Test
    void rowsOfAQuantizedModelAreCutWhateverTheirType() throws Exception {
        try (Model source = ModelOpener.open(stories());
             Model q8 = dev.quantscope.engine.llama.InMemoryModels.quantized(source,
                     dev.quantscope.quant.preset.Preset.Q4_K_M);
             Model pruned = StructuredPruner.prune(q8, List.of(new StructuredCut.FfnUnits(0.25)),
                     Importance.WEIGHT_ONLY)) {
            assertEquals(129, intKey(pruned, "llama.feed_forward_length"));
            var gate = pruned.tensor("blk.2.ffn_gate.weight").orElseThrow();
            assertTrue(gate.dtype().isBlockQuantized(), "ffn_gate is " + gate.dtype());
            assertTrue(generate(pruned, 4).length() > 0);
        }
    }

    /** The kept rows of a K or V tensor as whole heads of {@code hd} rows: the head numbers. */
    private static int[] wholeHeads(int[] rows, int hd) {
        int[] heads = new int[rows.length / hd];
        for (int h = 0; h < heads.length; h++) {
            heads[h] = rows[h * hd] / hd;
            int[] expected = new int[hd];
            for (int d = 0; d < hd; d++) expected[d] = heads[h] * hd + d;
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(rows, h * hd, (h + 1) * hd), "head " + h + " is cut apart");
        }
        return heads;
    }
}
