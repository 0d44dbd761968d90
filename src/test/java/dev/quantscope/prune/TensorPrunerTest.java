package dev.quantscope.prune;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class TensorPrunerTest {

    @ParameterizedTest
    @CsvSource({"MAGNITUDE, 2:4", "MAGNITUDE, 4:8", "WANDA, 2:4", "WANDA, 4:8", "MAGNITUDE, 1:4"})
    void nOfMLeavesExactlyNNonZerosInEveryGroupOfEveryRow(PruneMethod method, String text) {
        var pattern = (SparsityPattern.NOfM) SparsityPattern.parse(text);
        int rows = 12, cols = 64;
        float[] w = Reference.gaussian(rows * cols, 0.02f, 3);
        float[] squares = columnSquares(cols, 4);
        SparsityMask mask = TensorPruner.prune(w, rows, cols, method, pattern, squares);
        for (int start = 0; start < w.length; start += pattern.group()) {
            int nonZeros = 0;
            for (int i = start; i < start + pattern.group(); i++) if (w[i] != 0) nonZeros++;
            assertEquals(pattern.kept(), nonZeros, "group at " + start);
            assertEquals(pattern.kept(), mask.keptIn(start, pattern.group()), "mask of the group at " + start);
        }
        assertEquals(mask, SparsityMask.of(w, rows, cols), "the zeros are exactly the mask's pruned weights");
        assertEquals(pattern.sparsity(), mask.sparsity(), 1e-12);
    }

    @Test
    void nOfMKeepsTheHighestScoresOfEachGroup() {
        float[] w = {0.1f, -0.9f, 0.3f, 0.2f, /* */ 0.5f, 0.5f, -0.5f, 0.5f};
        TensorPruner.prune(w, 1, 8, PruneMethod.MAGNITUDE, SparsityPattern.parse("2:4"), null);
        // first group keeps −0.9 and 0.3; in the second all tie, so the two lower indices go
        assertArrayEquals(new float[]{0, -0.9f, 0.3f, 0, 0, 0, -0.5f, 0.5f}, w);
    }

    @Test
    void unstructuredMagnitudePrunesExactlyTheSmallestAcrossTheWholeTensor() {
        int rows = 37, cols = 53; // 1961 weights: 50 % rounds to 981
        float[] w = Reference.gaussian(rows * cols, 1, 5);
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) w[r * cols + c] *= 1 + r; // rows of unequal scale
        float[] magnitudes = new WeightScore.Magnitude().all(w, rows, cols);
        SparsityMask expected = Reference.pruneLowestInRuns(magnitudes, rows, cols, rows * cols, 981);

        SparsityMask mask = TensorPruner.prune(w, rows, cols, PruneMethod.MAGNITUDE, SparsityPattern.parse("0.5"), null);

        assertEquals(981, mask.zeros());
        assertEquals(expected, mask);
        assertTrue(mask.zerosInRow(0) > mask.zerosInRow(rows - 1), "a whole-tensor threshold prunes the small rows more");
    }

    @Test
    void wandaWithEqualColumnNormsPrunesAsMagnitudeDoesWithinEachRow() {
        int rows = 9, cols = 40;
        float[] w = Reference.repeating(rows * cols, 6, 11); // ties too: the order among them must not change
        // 4 for every column: a norm of 2, a power of two, so the products keep |w|'s order (and ties) exactly
        float[] squares = new float[cols];
        Arrays.fill(squares, 4);
        SparsityMask expected = Reference.pruneLowestInRuns(new WeightScore.Magnitude().all(w, rows, cols), rows, cols, cols, 14);

        SparsityMask mask = TensorPruner.prune(w.clone(), rows, cols, PruneMethod.WANDA, SparsityPattern.parse("35%"), squares);

        assertEquals(expected, mask);
        for (int r = 0; r < rows; r++) assertEquals(14, mask.zerosInRow(r), "round(0.35 · 40) per row");
    }

    @Test
    void wandaKeepsTheWeightsOfAHeavyInputColumn() {
        int rows = 16, cols = 32, heavy = 7;
        float[] w = Reference.gaussian(rows * cols, 1, 13);
        // small weights (|w| = 0.05, where a Gaussian of σ 1 lies below it 4 % of the time), on the column that matters
        for (int r = 0; r < rows; r++) w[r * cols + heavy] = r % 2 == 0 ? 0.05f : -0.05f;
        float[] squares = columnSquares(cols, 17);
        squares[heavy] = 1e8f;

        SparsityMask wanda = TensorPruner.prune(w.clone(), rows, cols, PruneMethod.WANDA, SparsityPattern.parse("0.75"), squares);
        SparsityMask magnitude = TensorPruner.prune(w.clone(), rows, cols, PruneMethod.MAGNITUDE, SparsityPattern.parse("0.75"), null);

        for (int r = 0; r < rows; r++) {
            assertTrue(wanda.isKept(r, heavy), "row " + r + " keeps its heavy-column weight");
            assertFalse(magnitude.isKept(r, heavy), "magnitude alone prunes the small weight of row " + r);
        }
    }

    @Test
    void weightsAlreadyZeroArePrunedFirst() {
        float[] w = {0, 0.4f, 0, -0.1f, 0.2f, 0, 0.3f, 0.5f};
        SparsityMask mask = TensorPruner.prune(w, 2, 4, PruneMethod.MAGNITUDE, SparsityPattern.parse("0.5"), null);
        // the three zeros, then −0.1, the smallest non-zero
        assertArrayEquals(new float[]{0, 0.4f, 0, 0, 0.2f, 0, 0.3f, 0.5f}, w);
        assertEquals(4, mask.zeros());
    }

    @Test
    void zeroSparsityChangesNothing() {
        float[] w = Reference.gaussian(60, 1, 2);
        float[] before = w.clone();
        SparsityMask mask = TensorPruner.prune(w, 6, 10, PruneMethod.WANDA, SparsityPattern.parse("0%"), columnSquares(10, 1));
        assertArrayEquals(before, w);
        assertEquals(0, mask.zeros());
    }

    @Test
    void refusesWhatItCannotPruneInOneSentence() {
        float[] w = new float[6 * 10];
        var wrongGroups = assertThrows(IllegalArgumentException.class,
                () -> TensorPruner.prune(w, 6, 10, PruneMethod.MAGNITUDE, SparsityPattern.parse("2:4"), null));
        assertEquals("a 6 × 10 tensor cannot be pruned to 2:4: its rows of 10 weights do not split into groups of 4",
                wrongGroups.getMessage());
        var wrongSquares = assertThrows(IllegalArgumentException.class,
                () -> TensorPruner.prune(w, 6, 10, PruneMethod.WANDA, SparsityPattern.parse("0.5"), new float[9]));
        assertTrue(wrongSquares.getMessage().contains("10 columns but 9 squares"), wrongSquares.getMessage());
        var noSquares = assertThrows(IllegalArgumentException.class,
                () -> TensorPruner.prune(w, 6, 10, PruneMethod.WANDA, SparsityPattern.parse("0.5"), null));
        assertTrue(noSquares.getMessage().startsWith("Wanda needs"), noSquares.getMessage());
        var sparseGpt = assertThrows(IllegalArgumentException.class,
                () -> TensorPruner.prune(w, 6, 10, PruneMethod.SPARSEGPT, SparsityPattern.parse("0.5"), null));
        assertTrue(sparseGpt.getMessage().contains("SparseGPT"), sparseGpt.getMessage());
        var wrongShape = assertThrows(IllegalArgumentException.class,
                () -> TensorPruner.prune(w, 7, 10, PruneMethod.MAGNITUDE, SparsityPattern.parse("0.5"), null));
        assertEquals("a tensor of 7 × 10 weights cannot hold 60 values", wrongShape.getMessage());
    }

    /** Over random shapes, seeds, patterns and methods: exact counts, the lowest scores pruned, zeros = mask. */
    @Test
    void propertiesHoldOverRandomShapesAndSeeds() {
        Random random = new Random(2026);
        String[] patterns = {"0.1", "50%", "0.9", "2:4", "1:2", "3:8", "4:8"};
        for (int trial = 0; trial < 200; trial++) {
            SparsityPattern pattern = SparsityPattern.parse(patterns[random.nextInt(patterns.length)]);
            PruneMethod method = random.nextBoolean() ? PruneMethod.MAGNITUDE : PruneMethod.WANDA;
            int groups = pattern instanceof SparsityPattern.NOfM(int kept, int group) ? group : 1;
            int rows = 1 + random.nextInt(20), cols = groups * (1 + random.nextInt(96 / groups));
            long seed = random.nextLong();
            float[] w = random.nextBoolean() ? Reference.gaussian(rows * cols, 0.05f, seed) : Reference.repeating(rows * cols, 4, seed);
            float[] squares = columnSquares(cols, seed);
            String what = method + " " + pattern.label() + " on " + rows + " × " + cols + ", seed " + seed;

            float[] scores = (method == PruneMethod.WANDA ? WeightScore.Wanda.ofColumnSquares(squares, cols)
                    : new WeightScore.Magnitude()).all(w, rows, cols);
            SparsityMask expected = switch (pattern) {
                case SparsityPattern.NOfM(int kept, int group) ->
                        Reference.pruneLowestInRuns(scores, rows, cols, group, group - kept);
                case SparsityPattern.Unstructured u when method == PruneMethod.WANDA ->
                        Reference.pruneLowestInRuns(scores, rows, cols, cols, (int) Math.round(u.sparsity() * cols));
                case SparsityPattern.Unstructured u ->
                        Reference.pruneLowestInRuns(scores, rows, cols, rows * cols, (int) Math.round(u.sparsity() * rows * cols));
            };

            float[] pruned = w.clone();
            SparsityMask mask = TensorPruner.prune(pruned, rows, cols, method, pattern, squares);

            assertEquals(expected, mask, what);
            for (int i = 0; i < w.length; i++) assertEquals(mask.isKept(i) ? w[i] : 0f, pruned[i], what + " at " + i);
        }
    }

    private static float[] columnSquares(int cols, long seed) {
        Random random = new Random(seed);
        float[] squares = new float[cols];
        for (int j = 0; j < cols; j++) squares[j] = 0.1f + 10 * random.nextFloat();
        return squares;
    }
}
