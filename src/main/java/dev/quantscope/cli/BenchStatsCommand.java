package dev.quantscope.cli;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.stats.StatsEngine;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code quantscope bench stats FILE [--threads N] [--rounds R]}: full statistics of every decodable tensor,
 * uncached, timed per dtype. Reports bytes of tensor data per second, the figure that matters for the GUI's stats
 * view. Round 1 is cold (first touch of the mapped file, JIT compilation); later rounds show the steady state.
 * {@code --vs-llama-cpp} is accepted for symmetry with the other bench commands, and says that llama.cpp has no
 * statistics tool to compare with.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Time full statistics (moments, exact percentiles, outliers) over every decodable tensor.")
public final class BenchStatsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Model file (GGUF, safetensors, PyTorch, ONNX).")
    Path file;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "2",
            description = "Times over the whole model (default: ${DEFAULT-VALUE}); the first is cold.")
    int rounds;

    @Mixin
    LlamaCppOption llamaCpp;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter out = spec.commandLine().getOut();
        int n = threads.count();
        // Checked first, so that a wrong path is refused before the work rather than after it.
        boolean vsLlamaCpp = llamaCpp.tools().isPresent();
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1");
        try (Model model = ModelOpener.open(file); StatsEngine engine = new StatsEngine(model, n)) {
            long skipped = model.tensors().stream().filter(t -> !t.decodable()).count();
            out.printf(Locale.ROOT, "%s: %d threads%s%n", file.getFileName(), n,
                    skipped > 0 ? ", " + skipped + " tensors not decodable (skipped)" : "");
            for (int round = 1; round <= rounds; round++) {
                Map<DType, long[]> bytesAndNanos = new EnumMap<>(DType.class);
                long totalBytes = 0, totalNanos = 0;
                long cpuBefore = processCpuNanos(), wallBefore = System.nanoTime();
                for (TensorInfo t : model.tensors()) {
                    if (!t.decodable()) continue;
                    long start = System.nanoTime();
                    engine.computeStats(t, ProgressMonitor.NONE);
                    long nanos = System.nanoTime() - start;
                    long[] acc = bytesAndNanos.computeIfAbsent(t.dtype(), k -> new long[2]);
                    acc[0] += t.byteSize();
                    acc[1] += nanos;
                    totalBytes += t.byteSize();
                    totalNanos += nanos;
                }
                long cpu = processCpuNanos() - cpuBefore, wall = System.nanoTime() - wallBefore;
                out.printf("round %d%s%n", round, round == 1 ? " (cold)" : "");
                for (Map.Entry<DType, long[]> e : bytesAndNanos.entrySet()) {
                    out.println(line(e.getKey().name(), e.getValue()[0], e.getValue()[1]));
                }
                out.println(line("total", totalBytes, totalNanos));
                // On a shared machine the wall-clock rate says little; CPU time says what the work costs.
                if (cpuBefore >= 0 && cpu > 0) {
                    out.printf(Locale.ROOT,
                            "  process CPU %.3f s over %.3f s wall (%.2f cores busy): %.2f GB per CPU-second%n",
                            cpu / 1e9, wall / 1e9, (double) cpu / wall, totalBytes / 1e9 / (cpu / 1e9));
                }
            }
        }
        long peakKb = ProcessStatus.kilobytes("VmHWM");
        if (peakKb >= 0) out.printf(Locale.ROOT, "peak RSS %.1f MiB (this JVM)%n", peakKb / 1024.0);
        if (vsLlamaCpp) {
            // No figure of llama.cpp's is put here on purpose: llama.cpp has no statistics tool, and the nearest
            // thing (llama-quantize reading the file) does other work, so a ratio against it would mean nothing.
            out.println("llama.cpp has no statistics tool: there is no llama.cpp figure to compare this with");
        }
        out.flush();
        return 0;
    }

    private static String line(String label, long bytes, long nanos) {
        double seconds = nanos / 1e9;
        double gbps = seconds > 0 ? bytes / 1e9 / seconds : 0;
        return String.format(Locale.ROOT, "  %-8s %,16d bytes  %8.3f s  %7.2f GB/s", label, bytes, seconds, gbps);
    }

    /** CPU time of the whole process (all threads, JIT and GC included), or -1 when the JVM does not say. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
