package dev.quantscope.prune;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

class GlobalThresholdTest {

    @Test
    void prunesExactlyTheSmallestMagnitudesOverall() throws IOException {
        // three tensors of different sizes and ranges: a global cut prunes the small-valued one most
        float[][] tensors = {Reference.gaussian(1000, 0.01f, 1), Reference.gaussian(3001, 1f, 2), Reference.gaussian(517, 30f, 3)};
        checkAgainstSort(tensors, 0.6);
    }

    @Test
    void prunesTiesInTensorOrderUntilTheCountIsMet() throws IOException {
        // F16-like weights: 9 distinct magnitudes, zeros among them, so the threshold lands inside a run of ties
        float[][] tensors = {Reference.repeating(700, 8, 4), Reference.repeating(1500, 8, 5), Reference.repeating(333, 8, 6)};
        for (double sparsity : new double[]{0.05, 0.3, 0.5, 0.77, 0.99}) checkAgainstSort(tensors, sparsity);
    }

    @Test
    void reportsThePerTensorSparsities() throws IOException {
        float[] small = {0.1f, 0.2f, 0.3f, 0.4f};
        float[] large = {1, 2, 3, 4, 5, 6};
        GlobalThreshold.Cut cut = GlobalThreshold.select(List.of(source("small", small, 3), source("large", large, 4)),
                new SparsityPattern.Unstructured(0.5));
        // 5 of 10: all four of the small tensor, then 1.0
        assertEquals(5, cut.pruned());
        assertEquals(1.0f, cut.threshold());
        assertEquals(1.0, cut.tensors().get(0).sparsity());
        assertEquals(1 / 6.0, cut.tensors().get(1).sparsity(), 1e-12);
        assertEquals(List.of("small", "large"), cut.tensors().stream().map(GlobalThreshold.TensorCut::name).toList());
    }

    @Test
    void zeroSparsityPrunesNothingEvenAmongZeros() throws IOException {
        float[] w = {0, 0, 1, -2};
        GlobalThreshold.Cut cut = GlobalThreshold.select(List.of(source("w", w, 4)), new SparsityPattern.Unstructured(0));
        assertEquals(0, cut.pruned());
        assertEquals(0, cut.tensors().getFirst().mask(w, 2, 2).zeros());
    }

    @Test
    void readsEachTensorThreeTimesAndRefusesOneThatChanges() throws IOException {
        float[] w = Reference.gaussian(100, 1, 7);
        AtomicInteger readings = new AtomicInteger();
        GlobalThreshold.select(List.of(new GlobalThreshold.Source("w", sink -> {
            readings.incrementAndGet();
            sink.accept(w, 0, w.length);
        })), new SparsityPattern.Unstructured(0.5));
        assertEquals(3, readings.get());

        AtomicInteger call = new AtomicInteger();
        var shrinking = new GlobalThreshold.Source("blk.0.ffn_up.weight",
                sink -> sink.accept(w, 0, w.length - call.getAndIncrement()));
        var e = assertThrows(IllegalStateException.class,
                () -> GlobalThreshold.select(List.of(shrinking), new SparsityPattern.Unstructured(0.5)));
        assertEquals("tensor blk.0.ffn_up.weight gave 100 weights on one reading and 99 on the next", e.getMessage());
    }

    /** Checks the cut against sorting every weight by (|w|, tensor, index), blocks of odd sizes on the way in. */
    private static void checkAgainstSort(float[][] tensors, double sparsity) throws IOException {
        List<GlobalThreshold.Source> sources = new ArrayList<>();
        record Weight(float magnitude, int tensor, int index) {}
        List<Weight> all = new ArrayList<>();
        for (int t = 0; t < tensors.length; t++) {
            sources.add(source("t" + t, tensors[t], 97 + t));
            for (int i = 0; i < tensors[t].length; i++) all.add(new Weight(Math.abs(tensors[t][i]), t, i));
        }
        all.sort(Comparator.comparingDouble(Weight::magnitude).thenComparingInt(Weight::tensor).thenComparingInt(Weight::index));
        long target = Math.round(sparsity * all.size());
        boolean[][] expected = new boolean[tensors.length][];
        for (int t = 0; t < tensors.length; t++) expected[t] = new boolean[tensors[t].length];
        for (Weight weight : all.subList(0, (int) target)) expected[weight.tensor()][weight.index()] = true;

        GlobalThreshold.Cut cut = GlobalThreshold.select(sources, new SparsityPattern.Unstructured(sparsity));

        assertEquals(target, cut.pruned(), "pruned overall at " + sparsity);
        assertEquals(sparsity, cut.sparsity(), 0.5 / all.size() + 1e-12, "within half a weight");
        long pruned = 0;
        for (int t = 0; t < tensors.length; t++) {
            float[] w = tensors[t].clone();
            SparsityMask mask = cut.tensors().get(t).prune(w, 1, w.length);
            assertEquals(Reference.maskOf(expected[t], 1, w.length), mask, "tensor " + t + " at " + sparsity);
            assertEquals(cut.tensors().get(t).pruned(), mask.zeros());
            assertEquals(mask.zeros(), SparsityMask.of(w, 1, w.length).zeros() - keptZeros(tensors[t], mask));
            pruned += mask.zeros();
        }
        assertEquals(target, pruned);
    }

    /** Weights that were zero already but which the cut did not reach. */
    private static long keptZeros(float[] w, SparsityMask mask) {
        long count = 0;
        for (int i = 0; i < w.length; i++) if (w[i] == 0 && mask.isKept(i)) count++;
        return count;
    }

    /** Hands {@code w} over in blocks of {@code block} weights, through one reused buffer as a file reader would. */
    private static GlobalThreshold.Source source(String name, float[] w, int block) {
        return new GlobalThreshold.Source(name, sink -> {
            float[] buffer = new float[block + 2];
            for (int from = 0; from < w.length; from += block) {
                int length = Math.min(block, w.length - from);
                System.arraycopy(w, from, buffer, 1, length);
                sink.accept(buffer, 1, length);
            }
        });
    }
}
