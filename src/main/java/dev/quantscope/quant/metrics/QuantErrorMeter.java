package dev.quantscope.quant.metrics;

import dev.quantscope.format.Model;
import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Decoders;
import dev.quantscope.tensor.ElementDecoder;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the error of stored (quantized) tensors against their originals, in parallel and streaming: both sides
 * are decoded chunk by chunk from their mapped bytes ({@link Decoders}), so no tensor is ever held as floats.
 * The sums of each chunk are combined in chunk order, so the figures do not depend on the number of threads.
 */
public final class QuantErrorMeter {
    private QuantErrorMeter() {}

    /** Elements decoded at a time (rounded to whole blocks of both types). */
    static final int CHUNK = 1 << 16;

    /** One chunk: elements [first, first + count) of pair {@code pair}. */
    private record Unit(int pair, long first, int count) {}

    /** One tensor compared with its stored version. */
    private record Pair(TensorInfo reference, TensorInfo stored, ElementDecoder refDecoder, ElementDecoder storedDecoder) {}

    /** The error of {@code stored} against {@code reference}: same number of elements, any decodable types. */
    public static ErrorMetrics measure(TensorInfo reference, TensorInfo stored, int threads, ProgressMonitor monitor) {
        return measureAll(List.of(pair(reference, stored)), threads, monitor).getFirst();
    }

    /**
     * Every tensor of {@code reference} against the tensor of the same name in {@code stored}, in the reference's
     * order. A tensor whose values cannot be decoded on either side gets {@link ErrorMetrics#NONE}.
     *
     * @throws IllegalArgumentException when a tensor is missing from {@code stored} or has another element count
     */
    public static ModelMetrics compare(Model reference, Model stored, int threads, ProgressMonitor monitor) {
        List<Pair> pairs = new ArrayList<>();
        List<TensorInfo> undecodable = new ArrayList<>();
        for (TensorInfo r : reference.tensors()) {
            TensorInfo s = stored.tensor(r.name()).orElseThrow(
                    () -> new IllegalArgumentException("tensor '" + r.name() + "' is missing from " + stored.source()));
            if (r.decodable() && s.decodable()) pairs.add(pair(r, s));
            else if (r.parameters() != s.parameters()) throw sizeMismatch(r, s);
            else undecodable.add(r);
        }
        List<ErrorMetrics> errors = measureAll(pairs, threads, monitor);
        List<TensorMetrics> out = new ArrayList<>();
        int p = 0;
        for (TensorInfo r : reference.tensors()) {
            TensorInfo s = stored.tensor(r.name()).orElseThrow();
            ErrorMetrics e = undecodable.contains(r) ? ErrorMetrics.NONE : errors.get(p++);
            out.add(new TensorMetrics(r.name(), r.dtype(), s.dtype(), new QuantizedSize(s.parameters(), s.byteSize()), e));
        }
        return new ModelMetrics(out);
    }

    private static Pair pair(TensorInfo reference, TensorInfo stored) {
        if (reference.parameters() != stored.parameters()) throw sizeMismatch(reference, stored);
        return new Pair(reference, stored, decoder(reference), decoder(stored));
    }

    private static ElementDecoder decoder(TensorInfo t) {
        return Decoders.find(t.dtype()).orElseThrow(
                () -> new IllegalArgumentException(t.name() + ": " + t.dtype() + " cannot be decoded"));
    }

    private static IllegalArgumentException sizeMismatch(TensorInfo r, TensorInfo s) {
        return new IllegalArgumentException("tensor '" + r.name() + "' has " + r.parameters() + " elements, its stored version "
                + s.parameters());
    }

    private static List<ErrorMetrics> measureAll(List<Pair> pairs, int threads, ProgressMonitor monitor) {
        List<Unit> units = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            int chunk = chunkFor(p.reference().dtype(), p.stored().dtype());
            long n = p.reference().parameters();
            for (long first = 0; first < n; first += chunk) units.add(new Unit(i, first, (int) Math.min(chunk, n - first)));
            total = Math.addExact(total, n);
        }
        ErrorAccumulator[] sums = new ErrorAccumulator[units.size()];
        AtomicLong done = new AtomicLong();
        long grandTotal = total;
        UnitRunner.run(units.size(), threads, () -> new UnitRunner.Worker() {
            final float[] x = new float[maxChunk(units)];
            final float[] q = new float[x.length];

            @Override
            public void run(int u) {
                Unit unit = units.get(u);
                Pair p = pairs.get(unit.pair());
                p.refDecoder().decode(p.reference().data(), unit.first(), x, 0, unit.count());
                p.storedDecoder().decode(p.stored().data(), unit.first(), q, 0, unit.count());
                ErrorAccumulator acc = new ErrorAccumulator();
                acc.add(x, 0, q, 0, unit.count());
                sums[u] = acc;
                monitor.progress(done.addAndGet(unit.count()), grandTotal);
            }
        }, monitor);

        ErrorAccumulator[] perPair = new ErrorAccumulator[pairs.size()];
        for (int i = 0; i < perPair.length; i++) perPair[i] = new ErrorAccumulator();
        for (int u = 0; u < units.size(); u++) perPair[units.get(u).pair()].add(sums[u]);
        return Arrays.stream(perPair).map(ErrorAccumulator::result).toList();
    }

    private static int maxChunk(List<Unit> units) {
        int m = 0;
        for (Unit u : units) m = Math.max(m, u.count());
        return m;
    }

    /** A chunk length that is a whole number of blocks of both types. */
    static int chunkFor(DType a, DType b) {
        long lcm = lcm(a.blockElements(), b.blockElements());
        return (int) Math.multiplyExact(lcm, Math.max(1, CHUNK / lcm));
    }

    private static long lcm(long a, long b) {
        long x = a, y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
