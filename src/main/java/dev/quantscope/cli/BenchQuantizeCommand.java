package dev.quantscope.cli;

import dev.quantscope.pipeline.export.PresetExport;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.pipeline.export.QuantizeResult;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.task.ProgressMonitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope bench quantize FILE --type PRESET [--threads N]}: one full quantization into a temporary file
 * (deleted afterwards), timed. The speed is given over the source's tensor bytes and over its weights.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Time quantizing a GGUF model with a llama-quantize preset (the output is deleted).")
public final class BenchQuantizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF model to quantize.")
    Path file;

    @Option(names = "--type", required = true, paramLabel = "PRESET", description = "llama-quantize preset, e.g. Q4_K_M.")
    String type;

    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preset preset;
        int n;
        try {
            preset = QuantizeCommand.preset(type);
            n = threads.count();
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        }
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".bench-quantize.", ".gguf");
        try (Model model = ModelOpener.open(file)) {
            long cpuBefore = processCpuNanos();
            long start = System.nanoTime();
            QuantizeResult r = PresetExport.quantize(model, preset, temp, n, ProgressMonitor.NONE);
            double seconds = (System.nanoTime() - start) / 1e9;
            long bytes = model.tensorBytes();
            long weights = model.parameterCount();
            out.printf(Locale.ROOT, "%s -> %s, %d threads: %.2f s (quantize %.2f s, write and verify %.2f s)%n",
                    file.getFileName(), preset, n, seconds, r.quantizeNanos() / 1e9, r.writeNanos() / 1e9);
            out.printf(Locale.ROOT, "  %.1f MB/s of source tensors (%d bytes), %.2f M weights/s (%d weights), output %d bytes%n",
                    bytes / 1e6 / seconds, bytes, weights / 1e6 / seconds, weights, r.fileBytes());
            long cpu = processCpuNanos() - cpuBefore;
            // On a shared machine the wall-clock time says little; the CPU time says what the work costs.
            if (cpuBefore >= 0 && cpu > 0) {
                out.printf(Locale.ROOT, "  process CPU %.2f s (%.2f cores busy on average)%n", cpu / 1e9, cpu / 1e9 / seconds);
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** CPU time of the whole process (all threads, JIT and GC included), or -1 when the JVM does not say. */
    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
