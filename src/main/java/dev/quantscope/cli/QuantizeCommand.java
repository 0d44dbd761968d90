package dev.quantscope.cli;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.job.QuantizeResult;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.metrics.ModelMetrics;
import dev.quantscope.quant.metrics.TensorMetrics;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code quantscope quantize IN OUT --type PRESET [--threads N]}: the file llama-quantize would write for the
 * preset, byte for byte, with each tensor's size and error.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a GGUF model with a llama-quantize preset, writing exactly the file llama-quantize writes.",
                "Only --type is available for now: --recipe FILE and .safetensors output are not implemented yet."})
public final class QuantizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The GGUF model to quantize (F32/F16/BF16 weights).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF file to write (never the input).")
    Path out;

    @Option(names = "--type", required = true, paramLabel = "PRESET",
            description = "llama-quantize preset: Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q5_0, Q5_1, Q4_K_M, Q4_K_S, Q4_0, Q4_1, "
                    + "Q3_K_L, Q3_K_M, Q3_K_S, Q2_K, IQ4_NL.")
    String type;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            Preset preset = preset(type);
            int n = threads(threads);
            requireGgufOutput(this.out);
            try (Model model = ModelOpener.open(in)) {
                QuantizeResult r = QuantizePipeline.quantize(model, preset, this.out, n, ProgressMonitor.NONE);
                print(r, out);
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            // bad options, a preset the model cannot take (naming the tensor), the input as output: one line
            err.println("quantscope: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    static Preset preset(String name) {
        return Preset.ofName(name).orElseThrow(() -> new IllegalArgumentException("unknown preset '" + name
                + "'; one of " + String.join(", ", Arrays.stream(Preset.values()).map(Enum::name).toList())));
    }

    static int threads(Integer threads) {
        if (threads == null) return Runtime.getRuntime().availableProcessors();
        if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
        return threads;
    }

    private static void requireGgufOutput(Path out) {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".gguf")) {
            throw new IllegalArgumentException("OUT must be a .gguf file (" + out.getFileName()
                    + "); other output formats are not available yet");
        }
    }

    static void print(QuantizeResult r, PrintWriter out) {
        ModelMetrics m = r.metrics();
        int width = Math.max(6, m.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(6));
        String row = "%-" + width + "s  %-6s  %-6s  %12s  %7s  %9s%n";
        out.printf(Locale.ROOT, row, "tensor", "from", "type", "bytes", "bpw", "SQNR dB");
        for (TensorMetrics t : m.tensors()) {
            out.printf(Locale.ROOT, row, t.name(), t.sourceType(), t.type(), t.size().bytes(),
                    String.format(Locale.ROOT, "%.3f", t.bitsPerWeight()), sqnr(t.error()));
        }
        ErrorMetrics total = m.totalError();
        out.printf(Locale.ROOT, "total: %d tensors, %s (%d bytes of tensors), %.4f bpw, SQNR %s dB, cosine %.6f, "
                        + "%.2f s on %d threads%n",
                m.tensors().size(), Units.bytes(m.totalSize().bytes()), m.totalSize().bytes(),
                m.totalSize().bitsPerWeight(), sqnr(total).trim(), total.cosine(), r.seconds(), r.threads());
        out.printf(Locale.ROOT, "wrote %s: %d bytes, %s (quantize %.2f s, write and verify %.2f s)%n", r.output(),
                r.fileBytes(), r.preset(), r.quantizeNanos() / 1e9, r.writeNanos() / 1e9);
    }

    private static String sqnr(ErrorMetrics e) {
        double s = e.sqnrDb();
        if (Double.isNaN(s)) return "-";
        if (Double.isInfinite(s)) return "exact";
        return String.format(Locale.ROOT, "%.2f", s);
    }
}
