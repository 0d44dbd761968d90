package dev.quantscope.cli;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.stats.StatsEngine;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code quantscope bench stats FILE [--threads N]}: full statistics of every decodable tensor, uncached, timed
 * per dtype. Reports bytes of tensor data read per second, the figure that matters for the GUI's stats view.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Time full statistics (moments, exact percentiles, outliers) over every decodable tensor.")
public final class BenchStatsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Model file (GGUF, safetensors, PyTorch, ONNX).")
    Path file;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Map<DType, long[]> bytesAndNanos = new EnumMap<>(DType.class);
        long totalBytes = 0, totalNanos = 0;
        int skipped = 0;
        try (Model model = ModelOpener.open(file); StatsEngine engine = new StatsEngine(model, n)) {
            // Warm up the JIT on the first decodable tensor of each dtype so that timings are steady-state.
            Map<DType, Boolean> warmed = new EnumMap<>(DType.class);
            for (TensorInfo t : model.tensors()) {
                if (t.decodable() && warmed.putIfAbsent(t.dtype(), true) == null) {
                    engine.computeStats(t, ProgressMonitor.NONE);
                }
            }
            for (TensorInfo t : model.tensors()) {
                if (!t.decodable()) {
                    skipped++;
                    continue;
                }
                long start = System.nanoTime();
                engine.computeStats(t, ProgressMonitor.NONE);
                long nanos = System.nanoTime() - start;
                long[] acc = bytesAndNanos.computeIfAbsent(t.dtype(), k -> new long[2]);
                acc[0] += t.byteSize();
                acc[1] += nanos;
                totalBytes += t.byteSize();
                totalNanos += nanos;
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d threads%s%n", file.getFileName(), n,
                skipped > 0 ? ", " + skipped + " tensors not decodable (skipped)" : "");
        for (Map.Entry<DType, long[]> e : bytesAndNanos.entrySet()) {
            System.out.println(line(e.getKey().name(), e.getValue()[0], e.getValue()[1]));
        }
        System.out.println(line("total", totalBytes, totalNanos));
        return 0;
    }

    private static String line(String label, long bytes, long nanos) {
        double seconds = nanos / 1e9;
        double gbps = seconds > 0 ? bytes / 1e9 / seconds : 0;
        return String.format(Locale.ROOT, "  %-8s %,16d bytes  %8.3f s  %7.2f GB/s", label, bytes, seconds, gbps);
    }
}
