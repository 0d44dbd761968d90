package dev.quantscope.cli;

import dev.quantscope.eval.llamacpp.LlamaCppTools;
import dev.quantscope.eval.llamacpp.LlamaQuantize;
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
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantscope bench quantize FILE --type PRESET [--threads N]}: one full quantization into a temporary file
 * (deleted afterwards), timed. The speed is given over the source's tensor bytes and over its weights. With
 * {@code --vs-llama-cpp PATH}, llama-quantize then quantizes the same file with the same preset and threads (into a
 * temporary file, deleted too), and its time and peak memory are printed beside ours.
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

    @Mixin
    LlamaCppOption llamaCpp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preset preset;
        int n;
        Optional<LlamaCppTools> tools;
        try {
            preset = QuantizeCommand.preset(type);
            n = threads.count();
            tools = llamaCpp.tools();
            if (tools.isPresent()) tools.get().command("quantize"); // a lone llama-bench has no llama-quantize beside it
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        }
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".bench-quantize.", ".gguf");
        try (Model model = ModelOpener.open(file)) {
            // Both tools read the source through the page cache; the one run first would pay for reading the disk.
            // Read once before either is timed, so both find it cached (when it fits in memory).
            if (tools.isPresent()) readThrough(file);
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
            if (tools.isPresent()) {
                out.flush();
                LlamaQuantize.Result theirs = LlamaQuantize.run(tools.get(), file, preset.name(), n, () -> false);
                printVsLlamaQuantize(out, seconds, bytes, theirs);
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * llama-quantize's figures under ours. Its time is the whole command's (start, load, quantize, write, exit: a
     * tool started for one file pays all of it); ours is the quantization and write alone, the model already opened
     * (mapped, not read). Peak memory is the resident high-water mark (VmHWM) of each process; ours is this whole
     * JVM's (heap, code, and the mapped pages of the source it touched).
     */
    private static void printVsLlamaQuantize(PrintWriter out, double ours, long bytes, LlamaQuantize.Result theirs) {
        out.printf(Locale.ROOT, "llama.cpp's llama-quantize, same preset and threads: %.2f s (the whole command), "
                        + "%.1f MB/s of source tensors, output %d bytes%n",
                theirs.seconds(), bytes / 1e6 / theirs.seconds(), theirs.fileBytes());
        out.printf(Locale.ROOT, "  time ratio QuantScope / llama-quantize: %.2f (above 1: QuantScope took longer)%n",
                ours / theirs.seconds());
        out.printf(Locale.ROOT, "  peak RSS: QuantScope %.1f MiB (this JVM), llama-quantize %.1f MiB%n",
                BenchModelCommand.peakRssMb(), theirs.peakRssMb());
        out.println("  llama.cpp: " + LlamaCppTools.shellLine(theirs.command()));
    }

    /** Reads {@code file} once, discarding the bytes: it is then in the page cache. */
    private static void readThrough(Path file) throws java.io.IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            while (in.read(buffer) >= 0) {
                // only the reading matters
            }
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
