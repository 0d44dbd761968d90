package dev.quantscope.quant.imatrix;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An importance matrix as llama.cpp's {@code llama-imatrix} computes it: per weight tensor, the sum over calibration
 * tokens of each input column's squared activation ({@code in_sum2}) and how many token rows went in
 * ({@code counts}); a 3-D (expert) tensor has one row of sums and one count per matrix. The importance of column
 * j, what ggml's quantizers take as {@code quant_weights}, is {@code in_sum2[j] / count} (1 where the count is 0,
 * as llama-quantize fills experts that saw no tokens).
 *
 * @param entries    by tensor name, sorted
 * @param chunkCount chunks of calibration text the sums cover ({@code imatrix.chunk_count})
 * @param chunkSize  tokens per chunk ({@code imatrix.chunk_size}); 0 when unknown (the legacy format has none)
 * @param datasets   names of the calibration files ({@code imatrix.datasets})
 */
public record ImportanceMatrix(Map<String, Entry> entries, int chunkCount, int chunkSize, List<String> datasets) {

    public ImportanceMatrix {
        entries = Collections.unmodifiableMap(new TreeMap<>(entries));
        datasets = List.copyOf(datasets);
        if (chunkCount < 0 || chunkSize < 0) throw new IllegalArgumentException("negative chunk count or size");
    }

    /**
     * The sums and counts of one tensor.
     *
     * @param sums   per matrix, per column: sum of squared input activations ({@code counts.length} rows)
     * @param counts per matrix: token rows accumulated
     */
    public record Entry(float[] sums, float[] counts) {
        public Entry {
            if (counts.length == 0 || sums.length == 0 || sums.length % counts.length != 0) {
                throw new IllegalArgumentException(sums.length + " sums do not split into " + counts.length
                        + " matrices");
            }
            sums = sums.clone();
            counts = counts.clone();
        }

        @Override public float[] sums() { return sums.clone(); }

        @Override public float[] counts() { return counts.clone(); }

        /** Columns of the weight matrix, i.e. its row length. */
        public int rowLength() { return sums.length / counts.length; }

        /** Matrices the tensor holds (1 for a dense 2-D weight). */
        public int matrices() { return counts.length; }

        /** The importance of each column of matrix {@code matrix}: mean squared activation, 1 where no tokens. */
        public float[] importance(int matrix) {
            int n = rowLength();
            float count = counts[matrix];
            float[] w = new float[n];
            for (int j = 0; j < n; j++) w[j] = count > 0 ? sums[matrix * n + j] / count : 1f;
            return w;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(sums, e.sums) && Arrays.equals(counts, e.counts);
        }

        @Override
        public int hashCode() { return 31 * Arrays.hashCode(sums) + Arrays.hashCode(counts); }

        @Override
        public String toString() { return "Entry[" + matrices() + " x " + rowLength() + "]"; }
    }

    /** The entry for {@code tensorName}, if the matrix has one. */
    public Optional<Entry> entry(String tensorName) {
        return Optional.ofNullable(entries.get(tensorName));
    }

    /**
     * The column importance of the dense tensor {@code tensorName} (its first matrix), or empty when the matrix has
     * no entry for it — ggml then quantizes without weights.
     */
    public Optional<float[]> importance(String tensorName) {
        return entry(tensorName).map(e -> e.importance(0));
    }
}
