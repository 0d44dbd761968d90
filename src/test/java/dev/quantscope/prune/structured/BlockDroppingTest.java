package dev.quantscope.prune.structured;

import dev.quantscope.testing.LlamaCpp;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static dev.quantscope.prune.structured.PrunedLlamas.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockDroppingTest {

    @TempDir
    Path dir;

    @Test
    void blockInfluenceIsMeasuredPerBlockOnACalibrationText() throws Exception {
        try (Model source = ModelOpener.open(stories())) {
            Calibration cal = calibrate(source);
            assertEquals(5, cal.blocks());
            assertEquals(2_000, cal.tokens(), "2,000 tokens in windows of 128, each starting with BOS, as every calibration pass cuts a text");
            for (int l = 0; l < 5; l++) {
                double bi = cal.blockInfluence()[l];
                System.out.printf("Block Influence of blk.%d on stories260K: %.4f%n", l, bi);
                assertTrue(bi > 0 && bi < 2, "BI " + bi + " of block " + l);
                assertEquals(172, cal.ffnInputEnergy()[l].length);
                assertTrue(Arrays.stream(cal.ffnInputEnergy()[l]).allMatch(e -> e > 0), "an FFN unit saw nothing");
                assertTrue(Arrays.stream(cal.attnInputEnergy()[l]).allMatch(e -> e > 0), "a head output saw nothing");
            }
        }
    }

    @Test
    void theLeastInfluentialBlocksGoAndTheRestAreRenumberedUnchanged() throws Exception {
        Path out = dir.resolve("stories-2blocks.gguf");
        int[] kept;
        try (Model source = ModelOpener.open(stories())) {
            Calibration cal = calibrate(source);
            double[] bi = cal.blockInfluence();
            // the two blocks of lowest influence go
            kept = IntStream.range(0, 5).boxed().sorted((a, b) -> Double.compare(bi[b], bi[a])).limit(3)
                    .mapToInt(Integer::intValue).sorted().toArray();
            try (Model pruned = StructuredPruner.prune(source, List.of(new StructuredCut.Blocks(2)),
                    new Importance.Calibrated(cal))) {
                StructuredPruner.write(pruned, out, ProgressMonitor.NONE);
            }
            assertTrue(Files.size(out) < Files.size(stories()), "the pruned file is not smaller");
            try (Model reopened = reopen(out)) {
                assertEquals(3, intKey(reopened, "llama.block_count"));
                assertEquals(3 * 9 + 3, reopened.tensors().size());
                assertTrue(reopened.tensor("blk.3.attn_q.weight").isEmpty());
                for (int n = 0; n < 3; n++) {
                    for (TensorInfo t : reopened.tensors()) {
                        if (!t.name().startsWith("blk." + n + ".")) continue;
                        String sourceName = "blk." + kept[n] + "." + t.name().substring(("blk." + n + ".").length());
                        TensorInfo s = source.tensor(sourceName).orElseThrow();
                        assertEquals(s.shape(), t.shape(), t.name());
                        assertSameValues(t, s);
                    }
                }
                assertSameValues(reopened.tensor("output.weight").orElseThrow(), source.tensor("output.weight").orElseThrow());
                System.out.println("Blocks " + Arrays.toString(kept) + " kept, engine: Once upon a time" + generate(reopened, 12));
            }
        }
        System.out.println("2 blocks dropped, llama.cpp: " + LlamaCpp.complete(out));
    }

    @Test
    void allThreeCutsTogetherGiveOneConsistentModel() throws Exception {
        Path out = dir.resolve("stories-all.gguf");
        try (Model source = ModelOpener.open(stories())) {
            Calibration cal = calibrate(source);
            try (Model pruned = StructuredPruner.prune(source, List.of(new StructuredCut.Blocks(1),
                    new StructuredCut.FfnUnits(0.25), new StructuredCut.KvGroups(0.25)), new Importance.Calibrated(cal))) {
                assertEquals(4, intKey(pruned, "llama.block_count"));
                assertEquals(129, intKey(pruned, "llama.feed_forward_length"));
                assertEquals(6, intKey(pruned, "llama.attention.head_count"));
                assertEquals(3, intKey(pruned, "llama.attention.head_count_kv"));
                assertTrue(pruned.parameterCount() < source.parameterCount());
                assertTrue(generate(pruned, 8).length() > 0);
                StructuredPruner.write(pruned, out, ProgressMonitor.NONE);
            }
        }
        System.out.println("1 block, 25 % FFN, 25 % KV groups, llama.cpp: " + LlamaCpp.complete(out));
    }
}
