package dev.quantscope.cli;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.export.OutputFormat;
import dev.quantscope.pipeline.export.StampMode;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.SparsityRule;
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
 * {@code quantscope bench prune FILE --pattern P [--method M] [--text FILE] [--calibration-tokens N] [--json]}: one
 * whole pruning of a GGUF model into a temporary file (deleted afterwards), with its time and the process's peak
 * resident memory, so that what pruning costs on a big model is a figure and not a guess.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Time pruning a GGUF model into a temporary file (deleted) and report the peak resident memory.",
        footer = "--json prints one object: method, pattern, seconds, peak_rss_mb (VmHWM, mapped file pages included), "
                + "peak_anon_mb (sampled RssAnon: heap and off-heap memory), model_mb, sparsity.")
public final class BenchPruneCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF model to prune (F32, F16 or BF16).")
    Path file;

    @Option(names = "--pattern", required = true, paramLabel = "S|N:M",
            description = "A sparsity (0.5, 50%%) or an N:M pattern (2:4).")
    String pattern;

    @Mixin
    PruneMethodOption method;

    @Mixin
    CalibrationOptions calibrationOptions;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    /** The figures of one run. */
    record Json(String method, String pattern, double seconds, double peak_rss_mb, double peak_anon_mb, double model_mb,
                double sparsity) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path temp = null;
        try {
            SparsityRule rule = new SparsityRule(method.method(), SparsityPattern.parse(pattern));
            PruneCalibration calibration = calibrationOptions.calibration();
            temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".bench-prune.", ".gguf");
            try (Model model = ModelOpener.open(file); AnonymousMemorySampler anon = new AnonymousMemorySampler()) {
                ExportOptions options = new ExportOptions(OutputFormat.GGUF, FloatFormat.F16, false, threads.count(),
                        StampMode.OFF, null, calibration);
                long start = System.nanoTime();
                ExportResult r = ModelExport.export(model, PruneCommand.recipe(rule, Optional.empty()), temp, options,
                        ProgressMonitor.NONE);
                double seconds = (System.nanoTime() - start) / 1e9;
                long zeros = 0, all = 0;
                for (var t : r.pruned()) {
                    zeros += t.zeros();
                    all += t.parameters();
                }
                Json j = new Json(rule.method().id(), rule.pattern().label(), seconds, BenchModelCommand.peakRssMb(),
                        anon.peakMb(), Files.size(file) / 1e6, all == 0 ? 0 : (double) zeros / all);
                if (json.json) {
                    CliJson.printPretty(out, j);
                } else {
                    out.printf(Locale.ROOT, "%s, %s %s on %d threads: %.2f s; peak RSS %.1f MB (with the pages of the "
                                    + "mapped model file, %.1f MB, and of the output read back to verify it); peak "
                                    + "anonymous memory %.1f MB (heap and off-heap, sampled); %.2f %% of the pruned "
                                    + "matrices zero%n", file.getFileName(), j.method(), j.pattern(), threads.count(),
                            seconds, j.peak_rss_mb(), j.model_mb(), j.peak_anon_mb(), 100 * j.sparsity());
                }
                out.flush();
                return 0;
            }
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        } finally {
            if (temp != null) Files.deleteIfExists(temp);
        }
    }
}
