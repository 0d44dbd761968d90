package dev.quantscope.cli;

import dev.quantscope.engine.kernel.Activation;
import dev.quantscope.engine.kernel.Kernels;
import dev.quantscope.engine.kernel.RowParallel;
import dev.quantscope.engine.kernel.WeightMatrix;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code quantscope bench kernels}: matrix-vector throughput per weight type, scalar and Vector API kernels (on
 * the file's layout, and with rows interleaved where the engine makes that copy),
 * over all threads of a {@link RowParallel} pool. Weights are random, quantized with ggml's quantizers; several
 * copies of the matrix (64 MB in all by default) are used in turn so that the figures measure memory, not the
 * CPU caches, as token generation does. GB/s counts weight bytes read; GFLOP/s counts 2 per weight.
 */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "Time matrix-vector products per weight type (scalar, Vector API, rows interleaved).")
public final class BenchKernelsCommand implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "2816", description = "Output rows (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--cols", defaultValue = "1024", description = "Input columns (default: ${DEFAULT-VALUE}).")
    int cols;

    @Option(names = "--types", split = ",", paramLabel = "TYPE",
            description = "Weight types (default: every type with a kernel).")
    List<String> types;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--millis", defaultValue = "400", description = "Time per measurement (default: ${DEFAULT-VALUE} ms).")
    int millis;

    @Option(names = "--warmup", defaultValue = "10000", paramLabel = "MS",
            description = "Longest warm-up per kernel: it runs in rounds of 250 ms until the rate settles (JIT "
                    + "compilation of Vector API code takes seconds on a busy machine) (default: ${DEFAULT-VALUE} ms).")
    int warmupMillis;

    @Option(names = "--working-set", defaultValue = "64", paramLabel = "MB",
            description = "Weight bytes cycled through, beyond the caches (default: ${DEFAULT-VALUE} MB).")
    int workingSetMb;

    @Option(names = "--no-scalar", description = "Skip the (slow) scalar kernels.")
    boolean noScalar;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "TOKENS",
            description = "Tokens per product: above 1 times the batched product (matmul) that prompt processing "
                    + "uses; GB/s then counts the weights once per batch, GFLOP/s every token (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        int n = threads.count();
        List<DType> list = new ArrayList<>();
        if (types == null) {
            Kernels.supportedTypes().stream().sorted().forEach(list::add);
        } else {
            for (String s : types) {
                DType t = DType.ofName(s.trim()).orElseThrow(() -> new IllegalArgumentException("unknown type " + s));
                if (!Kernels.supports(t)) throw new IllegalArgumentException("no kernel for " + t);
                list.add(t);
            }
        }
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1");
        System.out.printf(Locale.ROOT, (batch > 1 ? "matmul of " + batch + " tokens, " : "matvec ") + "%d x %d, %d threads, vector kernels: %s, load average %.2f%n",
                rows, cols, n, Kernels.vectorized() ? Kernels.vectorLanes() + " float lanes" : "unavailable",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "%-7s %9s  %-36s  %-36s  %-36s%n", "type", "MB/matrix",
                "scalar GB/s GFLOP/s     us GB/cpu-s", "vector GB/s GFLOP/s     us GB/cpu-s",
                "interleaved GB/s GFLOP/s  us GB/cpu-s");
        try (RowParallel pool = new RowParallel(n)) {
            for (DType type : list) run(type, pool);
        }
        System.out.printf(Locale.ROOT, "load average at the end %.2f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return 0;
    }

    private void run(DType type, RowParallel pool) {
        try (Arena arena = Arena.ofShared()) {
            TensorInfo first = SyntheticWeights.matrix(arena, type, rows, cols, 1);
            long bytes = first.byteSize();
            int copies = (int) Math.max(1, Math.min(256, (long) workingSetMb * 1_000_000 / bytes));
            TensorInfo[] mats = new TensorInfo[copies];
            mats[0] = first;
            for (int i = 1; i < copies; i++) {
                MemorySegment seg = arena.allocate(bytes, 64);
                seg.copyFrom(first.data());
                mats[i] = new TensorInfo(first.name() + "#" + i, first.shape(), type, bytes, seg);
            }
            float[] v = new float[cols];
            SyntheticWeights.fill(v, new Random(2));
            for (int i = 0; i < cols; i++) v[i] *= 50; // activations are O(1), weights O(0.02)
            Activation[] xs = new Activation[batch];
            for (int t = 0; t < batch; t++) {
                float[] vt = v.clone();
                for (int i = 0; i < cols; i += 7) vt[i] += t; // tokens differ
                xs[t] = Activation.of(vt);
            }
            float[][] out = new float[batch][rows];

            String scalar = noScalar ? "-" : measure(mats, Kernels::scalar, xs, out, pool, bytes);
            String vector = Kernels.vectorized() ? measure(mats, Kernels::vector, xs, out, pool, bytes) : "-";
            // the engine's copy with rows interleaved (GB/s still counts the file's bytes, as the others)
            String interleaved = Kernels.copies(type) ? measure(mats, t -> Kernels.packed(t, arena), xs, out, pool, bytes) : "-";
            System.out.printf(Locale.ROOT, "%-7s %9.2f  %-36s  %-36s  %-36s%n", type, bytes / 1e6, scalar, vector, interleaved);
        }
    }

    private String measure(TensorInfo[] mats, java.util.function.Function<TensorInfo, WeightMatrix> kernel,
                           Activation[] xs, float[][] out, RowParallel pool, long bytes) {
        WeightMatrix[] ms = new WeightMatrix[mats.length];
        for (int i = 0; i < ms.length; i++) ms[i] = kernel.apply(mats[i]);
        // warm-up: JIT compilation, first touch of the pages
        warmUp(ms, xs, out, pool);
        long cpuBefore = processCpuNanos();
        long[] r = timed(ms, xs, out, pool, millis);
        long cpu = processCpuNanos() - cpuBefore;
        long calls = r[0], nanos = r[1];
        double seconds = nanos / 1e9;
        double gbps = calls * (double) bytes / 1e9 / seconds;
        double gflops = calls * 2.0 * rows * cols * xs.length / 1e9 / seconds;
        // On a shared machine the wall-clock rate depends on the neighbours; bytes per CPU-second does much less.
        double perCpu = cpuBefore >= 0 && cpu > 0 ? calls * (double) bytes / 1e9 / (cpu / 1e9) : Double.NaN;
        return String.format(Locale.ROOT, "%11.2f %7.2f %6.0f %9.2f", gbps, gflops, nanos / 1e3 / calls, perCpu);
    }

    /**
     * Runs rounds of 250 ms until two consecutive rounds agree within 10 % (interpreted, C1- and C2-compiled
     * code differ by orders of magnitude, so a settled rate means the final code is running), at most
     * {@code --warmup} milliseconds.
     */
    private void warmUp(WeightMatrix[] ms, Activation[] xs, float[][] out, RowParallel pool) {
        long deadline = System.nanoTime() + warmupMillis * 1_000_000L;
        double previous = -1;
        for (int round = 0; System.nanoTime() < deadline; round++) {
            long[] r = timed(ms, xs, out, pool, Math.min(250, warmupMillis));
            double rate = (double) r[0] / r[1];
            if (round >= 2 && Math.abs(rate - previous) < 0.1 * rate) return;
            previous = rate;
        }
    }

    /** CPU time of the whole process (all threads), or -1 when the JVM does not say. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static long[] timed(WeightMatrix[] ms, Activation[] xs, float[][] out, RowParallel pool, int millis) {
        long start = System.nanoTime(), deadline = start + millis * 1_000_000L;
        long calls = 0;
        int i = 0;
        do {
            // a new activation version per call, as in generation: the quantization is part of the cost
            for (Activation x : xs) x.changed(x.length());
            WeightMatrix m = ms[i];
            if (xs.length == 1) {
                pool.matvec(m, xs[0], out[0]);
            } else {
                pool.forRange(m.rows(), 16, (s, e) -> m.matmul(xs, 0, xs.length, out, s, e));
            }
            i = (i + 1) % ms.length;
            calls++;
        } while (System.nanoTime() < deadline);
        return new long[] {calls, System.nanoTime() - start};
    }
}
