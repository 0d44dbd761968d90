package dev.quantscope.cli;

import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.export.OutputFormat;
import dev.quantscope.pipeline.export.StampMode;
import dev.quantscope.pipeline.export.TensorExport;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.RecipeFormatException;
import dev.quantscope.recipe.RecipeJson;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantscope quantize IN OUT (--type PRESET|SCHEME | --recipe FILE) [--dtype f32|f16|bf16] [--packed]
 * [--imatrix FILE] [--[no-]stamp] [--threads N]}: a whole model through a recipe, written as GGUF or safetensors by OUT's extension.
 * A llama-quantize preset writes exactly the file llama-quantize writes (unstamped by default for that reason).
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a model with a llama-quantize preset, a scheme or a recipe file, and write it as "
                + "GGUF or safetensors (chosen by OUT's extension).",
                "A preset (--type Q4_K_M) writes exactly the file llama-quantize writes. Recipes and schemes are "
                        + "stamped: the recipe JSON and the source's SHA-256 go into the file's metadata "
                        + "(quantscope.recipe, quantscope.source.sha256).",
                "safetensors: every tensor dequantized to --dtype (the file carries the quantization error), or with "
                        + "--packed int4/int8 Linear weights in compressed-tensors pack-quantized form plus config.json."})
public final class QuantizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The model to quantize.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .gguf or .safetensors file to write (never the input).")
    Path out;

    @Option(names = "--type", paramLabel = "PRESET|SCHEME",
            description = "llama-quantize preset (Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q5_0, Q5_1, Q4_K_M, Q4_K_S, Q4_0, Q4_1, "
                    + "Q3_K_L, Q3_K_M, Q3_K_S, Q2_K, IQ4_NL) or a scheme id for every matrix (int4-asym-g128-mse, "
                    + "nf4-b64, ggml:Q4_K, …; 1-D tensors and norms stay as they are).")
    String type;

    @Option(names = "--recipe", paramLabel = "FILE", description = "A recipe JSON file (quantscope.recipe/1).")
    Path recipe;

    @Option(names = "--imatrix", paramLabel = "FILE", description = "Importance matrix (llama-imatrix GGUF or legacy "
            + ".dat) weighting the quantization as llama-quantize --imatrix does; GGUF output only.")
    Path imatrix;

    @Option(names = "--dtype", paramLabel = "f32|f16|bf16", defaultValue = "f16",
            description = "safetensors: float type of dequantized tensors (default f16).")
    String dtype;

    @Option(names = "--packed", description = "safetensors: int4/int8 Linear weights packed (compressed-tensors).")
    boolean packed;

    @Option(names = "--stamp", negatable = true, description = "Record the recipe and the source's SHA-256 in the "
            + "metadata (default: on for recipes and schemes, off for presets).")
    Boolean stamp;

    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            Recipe r = recipe(type, recipe);
            ExportOptions options = new ExportOptions(OutputFormat.of(this.out), floatFormat(dtype), packed,
                    threads.count(), stamp == null ? StampMode.AUTO : stamp ? StampMode.ON : StampMode.OFF,
                    imatrix == null ? null : readImatrix(imatrix));
            try (Model model = ModelOpener.open(in)) {
                ExportResult result = ModelExport.export(model, r, this.out, options, ProgressMonitor.NONE);
                print(result, describe(r), out);
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException | RecipeFormatException e) {
            // bad options, a recipe file's error, a recipe the model cannot take (naming the tensor), the input as
            // output: one line
            return CliFailureHandler.refused(err, e);
        }
    }

    /** The recipe of {@code --type} (a preset, else a scheme for every matrix) or {@code --recipe}: exactly one. */
    static Recipe recipe(String type, Path file) throws java.io.IOException {
        if ((type == null) == (file == null)) {
            throw new IllegalArgumentException("give exactly one of --type PRESET|SCHEME and --recipe FILE");
        }
        if (file != null) return RecipeJson.read(file);
        Optional<Preset> preset = Preset.ofName(type);
        if (preset.isPresent()) return Recipe.preset(preset.get());
        try {
            QuantScheme scheme = QuantScheme.parse(type);
            return Recipe.of(scheme).withName(scheme.id());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + type + "' is neither a preset (" + String.join(", ",
                    Arrays.stream(Preset.values()).map(Enum::name).toList()) + ") nor a scheme id: " + e.getMessage());
        }
    }

    /** The importance matrix file, or one line naming it and what is wrong with it. */
    static ImatrixFile readImatrix(Path file) {
        try {
            return ImatrixFile.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read importance matrix " + file + ": no such file");
        } catch (java.io.IOException | RuntimeException e) {
            String why = FailureDescriber.classify(e).sentence();
            // a format error names the file already; say it once
            if (why.startsWith(file + ": ")) why = why.substring(file.toString().length() + 2);
            throw new IllegalArgumentException("cannot read importance matrix " + file + ": " + why);
        }
    }

    static Preset preset(String name) {
        return Preset.ofName(name).orElseThrow(() -> new IllegalArgumentException("unknown preset '" + name
                + "'; one of " + String.join(", ", Arrays.stream(Preset.values()).map(Enum::name).toList())));
    }

    static FloatFormat floatFormat(String dtype) {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> FloatFormat.F32;
            case "f16" -> FloatFormat.F16;
            case "bf16" -> FloatFormat.BF16;
            default -> throw new IllegalArgumentException("--dtype must be f32, f16 or bf16, not '" + dtype + "'");
        };
    }

    private static String describe(Recipe r) {
        if (r.base() instanceof RecipeBase.PresetChoices p && r.rules().isEmpty()) return p.preset().name();
        return r.name().isEmpty() ? "recipe" : "recipe " + r.name();
    }

    /**
     * One line per tensor: name, source type, scheme (for a GGUF file the ggml type it is stored as), its bytes and
     * bits per weight under the scheme, SQNR; safetensors adds how the file holds it. Then the totals.
     */
    static void print(ExportResult r, String what, PrintWriter out) {
        boolean gguf = r.format() == OutputFormat.GGUF;
        int width = Math.max(6, r.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(6));
        int schemeWidth = Math.max(6, r.tensors().stream().mapToInt(t -> scheme(t, gguf).length()).max().orElse(6));
        String row = "%-" + width + "s  %-6s  %-" + schemeWidth + "s  %12s  %7s  %9s" + (gguf ? "" : "  %s") + "%n";
        out.printf(Locale.ROOT, row, "tensor", "from", gguf ? "type" : "scheme", "bytes", "bpw", "SQNR dB", "stored as");
        for (TensorExport t : r.tensors()) {
            out.printf(Locale.ROOT, row, t.name(), t.sourceType(), scheme(t, gguf), t.schemeSize().bytes(),
                    String.format(Locale.ROOT, "%.3f", t.schemeSize().bitsPerWeight()), sqnr(t.error()),
                    t.outputName().equals(t.name()) ? t.storedAs() : t.storedAs() + " as " + t.outputName());
        }
        ErrorMetrics total = r.totalError();
        out.printf(Locale.ROOT, "total: %d tensors, %s (%d bytes of tensors), %.4f bpw, SQNR %s dB, cosine %.6f, "
                        + "%.2f s on %d threads%n",
                r.tensors().size(), Units.bytes(r.totalSchemeSize().bytes()), r.totalSchemeSize().bytes(),
                r.totalSchemeSize().bitsPerWeight(), sqnr(total).trim(), total.cosine(), r.seconds(), r.threads());
        if (!r.skipped().isEmpty()) out.println("skipped (no place in the output format): " + String.join(", ", r.skipped()));
        out.printf(Locale.ROOT, "wrote %s: %d bytes, %s (quantize %.2f s, write and verify %.2f s)%s%n", r.output(),
                r.fileBytes(), what, r.quantizeNanos() / 1e9, r.writeNanos() / 1e9,
                r.stamp().isPresent() ? ", stamped" : "");
        r.config().ifPresent(c -> out.println("wrote " + c));
    }

    /** For GGUF the scheme is the ggml type it is stored as (Q6_K, or the kept type); otherwise its id. */
    private static String scheme(TensorExport t, boolean gguf) {
        if (!gguf) return t.scheme().id();
        return switch (t.scheme()) {
            case GgmlBlock g -> g.type().name();
            case Cast c -> c.type().name();
            case Keep k -> t.sourceType().name();
            default -> t.scheme().id();
        };
    }

    private static String sqnr(ErrorMetrics e) {
        double s = e.sqnrDb();
        if (Double.isNaN(s)) return "-";
        if (Double.isInfinite(s)) return "exact";
        return String.format(Locale.ROOT, "%.2f", s);
    }
}
