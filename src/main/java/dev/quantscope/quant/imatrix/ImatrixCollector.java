package dev.quantscope.quant.imatrix;

import dev.quantscope.engine.llama.MatmulObserver;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Accumulates what {@code llama-imatrix} collects: for each weight tensor, the sum over token rows of every input
 * column's square, and the number of rows. Sums are kept in double (llama.cpp keeps float) so that long
 * calibration runs lose no small contributions; they are stored as float like llama.cpp's. After the first row a
 * tensor is seen, observing allocates nothing.
 */
public final class ImatrixCollector implements MatmulObserver {
    private static final class Sums {
        final double[] sum2;
        long rows;

        Sums(int n) { sum2 = new double[n]; }
    }

    private final Predicate<String> accept;
    private final Map<String, Sums> sums = new HashMap<>();
    private final Map<String, Boolean> decided = new HashMap<>();

    /** @param accept which weight tensors to collect (llama-imatrix takes blk.* and, optionally, output.weight) */
    public ImatrixCollector(Predicate<String> accept) {
        this.accept = accept;
    }

    @Override
    public void onInput(String tensorName, float[] x, int n) {
        Sums s = sums.get(tensorName);
        if (s == null) {
            if (decided.containsKey(tensorName)) return;
            boolean take = accept.test(tensorName);
            decided.put(tensorName, take);
            if (!take) return;
            s = new Sums(n);
            sums.put(tensorName, s);
        }
        if (n != s.sum2.length) {
            throw new IllegalStateException(tensorName + ": input of " + n + " values after " + s.sum2.length);
        }
        double[] acc = s.sum2;
        for (int j = 0; j < n; j++) {
            float v = x[j];
            acc[j] += v * v;
        }
        s.rows++;
    }

    /** Rows seen so far for {@code tensorName} (0 if none). */
    public long rows(String tensorName) {
        Sums s = sums.get(tensorName);
        return s == null ? 0 : s.rows;
    }

    /** The collected sums as an importance matrix. */
    public ImportanceMatrix toMatrix(int chunkCount, int chunkSize, List<String> datasets) {
        Map<String, ImportanceMatrix.Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Sums> e : sums.entrySet()) {
            double[] d = e.getValue().sum2;
            float[] f = new float[d.length];
            for (int j = 0; j < d.length; j++) f[j] = (float) d[j];
            entries.put(e.getKey(), new ImportanceMatrix.Entry(f, new float[] {e.getValue().rows}));
        }
        return new ImportanceMatrix(entries, chunkCount, chunkSize, datasets);
    }
}
