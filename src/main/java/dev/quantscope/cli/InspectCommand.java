package dev.quantscope.cli;

import dev.quantscope.engine.classifier.Architecture;
import dev.quantscope.engine.classifier.ArchitectureJson;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.stats.StatsEngine;
import dev.quantscope.stats.TensorStats;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.TensorInfo;
import dev.quantscope.tensor.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code quantscope inspect FILE [--json] [--stats]}: the tensor table and summary of a model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a model's tensors (name, shape, dtype, parameters, bytes) and summary.")
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "A GGUF, safetensors, PyTorch or ONNX file, or a Hugging Face model folder.")
    Path file;

    @Mixin
    JsonOption json;

    @Option(names = "--stats", description = "Add each tensor's statistics, with its fraction of exact zeros as a column.")
    boolean stats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Model model = ModelOpener.open(file)) {
            Map<String, TensorStats> tensorStats = stats ? computeStats(model) : Map.of();
            if (json.json) printJson(model, stats, tensorStats, out);
            else printTable(model, stats, tensorStats, out);
        }
        out.flush();
        return 0;
    }

    private static Map<String, TensorStats> computeStats(Model model) {
        StatsEngine engine = new StatsEngine(model);
        Map<String, TensorStats> out = new LinkedHashMap<>();
        for (TensorInfo t : model.tensors()) {
            if (t.decodable() && t.parameters() > 0) out.put(t.name(), engine.stats(t, ProgressMonitor.NONE));
        }
        return out;
    }

    /** A classifier's hidden layers, input and classes, e.g. {@code conv:32,pool,fc:128 on 1×28×28, 10 classes}. */
    static String classifierLine(Architecture a) {
        return (a.spec().isEmpty() ? "linear" : a.spec()) + " on " + a.input() + ", " + a.classes() + " classes";
    }

    static void printJson(Model model, boolean withStats, Map<String, TensorStats> tensorStats, PrintWriter out)
            throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", model.format().displayName());
        doc.put("file", model.source().toString());
        doc.put("architecture", model.architecture());
        ArchitectureJson.describedBy(model).ifPresent(a -> doc.put("classifier", classifierLine(a)));
        doc.put("parameters", model.parameterCount());
        doc.put("bytes", model.tensorBytes());
        if (withStats) doc.put("zeros", ZeroTotals.of(tensorStats.values()));
        doc.put("metadata", model.metadata());
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (TensorInfo t : model.tensors()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", t.name());
            row.put("shape", t.shape().dims());
            row.put("dtype", t.dtype().name());
            row.put("parameters", t.parameters());
            row.put("bytes", t.byteSize());
            if (!t.decodable()) row.put("decodable", false);
            TensorStats s = tensorStats.get(t.name());
            if (s != null) row.put("stats", s);
            tensors.add(row);
        }
        doc.put("tensors", tensors);
        CliJson.printPretty(out, doc);
    }

    /**
     * Exact zeros over every tensor that has statistics.
     *
     * @param zeros    elements that are exactly zero
     * @param values   finite elements
     * @param fraction zeros / values (0 when there are none)
     */
    record ZeroTotals(long zeros, long values, double fraction) {
        static ZeroTotals of(Collection<TensorStats> stats) {
            long zeros = stats.stream().mapToLong(TensorStats::zeroCount).sum();
            long values = stats.stream().mapToLong(TensorStats::finiteCount).sum();
            return new ZeroTotals(zeros, values, values == 0 ? 0 : (double) zeros / values);
        }
    }

    /**
     * @param withStats whether --stats was given: then each row has a zeros column (exact zeros among its finite
     *                  values; "-" where a tensor has no statistics) under which its statistics follow
     */
    static void printTable(Model model, boolean withStats, Map<String, TensorStats> tensorStats, PrintWriter out) {
        int nameWidth = Math.max(4, model.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(4));
        String rowFormat = "%-" + nameWidth + "s  %-20s  %-8s  %12s  %12s" + (withStats ? "  %8s" : "%s") + "%n";
        out.printf(Locale.ROOT, rowFormat, "name", "shape", "dtype", "parameters", "bytes", withStats ? "zeros" : "");
        for (TensorInfo t : model.tensors()) {
            String dtype = t.decodable() ? t.dtype().name() : t.dtype().name() + "*";
            TensorStats s = tensorStats.get(t.name());
            String zeros = !withStats ? "" : s == null ? "-" : zeroFraction(s.zeroFraction());
            out.printf(Locale.ROOT, rowFormat, t.name(), t.shape(), dtype, t.parameters(), t.byteSize(), zeros);
            if (s != null) {
                out.printf(Locale.ROOT, "    min %.6g  max %.6g  mean %.6g  std %.6g  absmax %.6g  kurtosis %.4g  outliers %.2e%n",
                        s.min(), s.max(), s.mean(), s.std(), s.absMax(), s.kurtosis(), s.outlierFraction());
                out.printf(Locale.ROOT, "    p0.1 %.6g  p1 %.6g  p50 %.6g  p99 %.6g  p99.9 %.6g%n",
                        s.p0_1(), s.p1(), s.p50(), s.p99(), s.p99_9());
            }
        }
        if (model.tensors().stream().anyMatch(t -> !t.decodable())) {
            out.println("* not decodable: listed with its type, values cannot be read");
        }
        out.println();
        out.printf(Locale.ROOT, "format        %s%n", model.format().displayName());
        out.printf(Locale.ROOT, "architecture  %s%n", model.architecture());
        ArchitectureJson.describedBy(model).ifPresent(a -> out.printf(Locale.ROOT, "classifier    %s%n", classifierLine(a)));
        out.printf(Locale.ROOT, "tensors       %d%n", model.tensors().size());
        out.printf(Locale.ROOT, "parameters    %d (%s)%n", model.parameterCount(), Units.count(model.parameterCount()));
        out.printf(Locale.ROOT, "bytes         %d (%s)%n", model.tensorBytes(), Units.bytes(model.tensorBytes()));
        if (model.parameterCount() > 0) {
            out.printf(Locale.ROOT, "bits/weight   %.3f%n", model.tensorBytes() * 8.0 / model.parameterCount());
        }
        if (withStats) {
            ZeroTotals z = ZeroTotals.of(tensorStats.values());
            out.printf(Locale.ROOT, "zeros         %s (%d of %d values)%n", zeroFraction(z.fraction()),
                    z.zeros(), z.values());
        }
        out.printf(Locale.ROOT, "metadata      %d keys%n", model.metadata().size());
        model.metadata().forEach((k, v) -> out.printf(Locale.ROOT, "  %-40s %s%n", k, MetadataText.abbreviate(v)));
    }

    private static final double SMALLEST_FRACTION_SHOWN = 0.0001;

    /**
     * A fraction of exact zeros as the table prints it: "0" and "1" only when none or all are zero, four decimals
     * otherwise, and a bound where four decimals would round a few zeros away ("<0.0001") or a few non-zeros away
     * (">0.9999"), so a dense tensor and one with a handful of zeros never read the same.
     */
    static String zeroFraction(double fraction) {
        if (fraction == 0) return "0";
        if (fraction == 1) return "1";
        if (fraction < SMALLEST_FRACTION_SHOWN / 2) return "<0.0001";
        if (fraction > 1 - SMALLEST_FRACTION_SHOWN / 2) return ">0.9999";
        return String.format(Locale.ROOT, "%.4f", fraction);
    }
}
