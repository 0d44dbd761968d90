package dev.quantscope.cli;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.ExportResult;
import dev.quantscope.pipeline.export.ModelExport;
import dev.quantscope.pipeline.export.OutputFormat;
import dev.quantscope.pipeline.export.StampMode;
import dev.quantscope.pipeline.export.TensorExport;
import dev.quantscope.pipeline.prune.PruneCalibration;
import dev.quantscope.pipeline.prune.PrunedTensor;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparseLayoutSize;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.prune.structured.CalibrationPass;
import dev.quantscope.prune.structured.Importance;
import dev.quantscope.prune.structured.StructuredCut;
import dev.quantscope.prune.structured.StructuredPruner;
import dev.quantscope.quant.imatrix.ImatrixFile;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.tensor.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code quantscope prune IN OUT (--sparsity S [--global] | --pattern N:M | --ffn R | --heads R | --drop-blocks K)
 * [--method magnitude|wanda|sparsegpt] [--text FILE | --imatrix FILE] [--type PRESET] [--json]}: sparsity through the
 * one pipeline (a recipe whose rule prunes every prunable matrix, then the preset's quantization), or structured
 * pruning that really removes FFN units, KV groups or blocks.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Prune a model and write it as GGUF or safetensors (by OUT's extension).",
                "Unstructured (--sparsity) and N:M (--pattern) pruning zero weights of every block matrix (never the "
                        + "embeddings, the output head, norms or biases); GGUF has no sparse layout, so the file is as "
                        + "big as the dense one, and the sizes of sparse layouts are printed instead. "
                        + "--ffn, --heads and --drop-blocks remove FFN units, KV groups or whole blocks: the file "
                        + "really shrinks (GGUF Llama models).",
                "--type quantizes after pruning with a llama-quantize preset; the zeros that survive are reported."})
public final class PruneCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "The model to prune (F32, F16 or BF16 weights).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .gguf or .safetensors file to write (never the input).")
    Path out;

    @Option(names = "--sparsity", paramLabel = "S", description = "Fraction of weights to zero in each matrix, in "
            + "[0, 1) (0.5 or 50%%).")
    String sparsity;

    @Option(names = "--global", description = "With --sparsity and magnitude: one threshold across all matrices, "
            + "which then reach S together (each its own share).")
    boolean global;

    @Option(names = "--pattern", paramLabel = "N:M", description = "Keep N of every M consecutive weights of each row "
            + "(2:4, 4:8, …).")
    String pattern;

    @Option(names = "--ffn", paramLabel = "R", description = "Remove the fraction R of the FFN hidden units of every block.")
    Double ffn;

    @Option(names = "--heads", paramLabel = "R", description = "Remove the fraction R of the attention KV groups "
            + "(a KV head with its query heads) of every block.")
    Double heads;

    @Option(names = "--drop-blocks", paramLabel = "K", description = "Remove the K blocks of least Block Influence "
            + "(needs --text).")
    Integer dropBlocks;

    @Option(names = "--align", paramLabel = "A", defaultValue = "1", description = "With --ffn: keep the FFN width a "
            + "multiple of A (32 or 256 keep rows quantizable to ggml blocks; default 1).")
    int align;

    @Mixin
    PruneMethodOption method;

    @Option(names = "--imatrix", paramLabel = "FILE", description = "Importance matrix (llama-imatrix): its sums of x² "
            + "are Wanda's input norms, in place of a text; it also weights --type's quantization.")
    Path imatrix;

    @Option(names = "--type", paramLabel = "PRESET", description = "Quantize after pruning with this llama-quantize "
            + "preset (Q8_0, Q6_K, Q4_K_M, …).")
    String type;

    @Mixin
    CalibrationOptions calibrationOptions;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        try {
            boolean structured = ffn != null || heads != null || dropBlocks != null;
            boolean zeroing = sparsity != null || pattern != null;
            if (structured == zeroing) {
                throw new IllegalArgumentException("give --sparsity S or --pattern N:M, or any of --ffn R, --heads R and "
                        + "--drop-blocks K (not both kinds)");
            }
            if (calibrationOptions.text != null && imatrix != null) throw new IllegalArgumentException("give --text FILE or --imatrix FILE, not both");
            Optional<Preset> preset = type == null ? Optional.empty() : Optional.of(QuantizeCommand.preset(type));
            try (Model model = ModelOpener.open(in)) {
                if (structured) return structured(model, preset, out);
                return zeroed(model, preset, out);
            }
        } catch (IllegalArgumentException e) {
            return CliFailureHandler.refused(err, e);
        }
    }

    private int zeroed(Model model, Optional<Preset> preset, PrintWriter out) throws IOException {
        if (sparsity != null && pattern != null) throw new IllegalArgumentException("give --sparsity or --pattern, not both");
        SparsityPattern p = SparsityPattern.parse(sparsity != null ? sparsity : pattern);
        if (pattern != null && !(p instanceof SparsityPattern.NOfM)) {
            throw new IllegalArgumentException("--pattern takes N:M (e.g. 2:4), not \"" + pattern + "\"; use --sparsity for a fraction");
        }
        if (sparsity != null && !(p instanceof SparsityPattern.Unstructured)) {
            throw new IllegalArgumentException("--sparsity takes a fraction (0.5 or 50%), not \"" + sparsity + "\"; use --pattern for N:M");
        }
        Recipe recipe = recipe(new SparsityRule(method.method(), p, global), preset);
        String name = recipe.name();
        ImatrixFile im = imatrix == null ? null : QuantizeCommand.readImatrix(imatrix);
        PruneCalibration calibration = calibration(im);
        boolean gguf = OutputFormat.of(this.out) == OutputFormat.GGUF;
        ExportOptions options = new ExportOptions(OutputFormat.of(this.out), FloatFormat.F16, false, threads.count(),
                StampMode.AUTO, gguf && preset.isPresent() ? im : null, calibration);
        ExportResult r = ModelExport.export(model, recipe, this.out, options, ProgressMonitor.NONE);
        if (json.json) CliJson.printPretty(out, json(r, name));
        else print(r, name, out);
        out.flush();
        return 0;
    }

    /** Every prunable matrix pruned by {@code rule}, then kept in its type or quantized with {@code preset}. */
    static Recipe recipe(SparsityRule rule, Optional<Preset> preset) {
        RecipeBase base = preset.<RecipeBase>map(RecipeBase.PresetChoices::new)
                .orElse(new RecipeBase.DefaultScheme(Keep.INSTANCE));
        String name = rule.label() + preset.map(x -> " + " + x.name()).orElse("");
        return new Recipe(name, base, List.of(Rule.pruning("*", rule)));
    }

    private PruneCalibration calibration(ImatrixFile im) throws IOException {
        PruneCalibration c = calibrationOptions.calibration();
        return im == null ? c : c.withImatrix(im);
    }

    private int structured(Model model, Optional<Preset> preset, PrintWriter out) throws IOException {
        if (!method.isDefault()) {
            throw new IllegalArgumentException("--method chooses weights to zero; --ffn, --heads and --drop-blocks rank "
                    + "whole units by their weights (and activations with --text)");
        }
        List<StructuredCut> cuts = new ArrayList<>();
        if (ffn != null) cuts.add(new StructuredCut.FfnUnits(ffn, align));
        if (heads != null) cuts.add(new StructuredCut.KvGroups(heads));
        if (dropBlocks != null) cuts.add(new StructuredCut.Blocks(dropBlocks));
        Importance importance = calibrationOptions.text == null ? Importance.WEIGHT_ONLY : new Importance.Calibrated(
                CalibrationPass.run(model, calibrationOptions.readText(), calibrationOptions.context.ctx,
                        calibrationOptions.tokens.tokens, threads.count(), ProgressMonitor.NONE));
        long sourceBytes = Files.size(in);
        try (Model pruned = StructuredPruner.prune(model, cuts, importance, ProgressMonitor.NONE)) {
            long fileBytes;
            if (preset.isPresent()) {
                ExportOptions options = new ExportOptions(OutputFormat.GGUF, FloatFormat.F16, false, threads.count(),
                        StampMode.OFF, imatrix == null ? null : QuantizeCommand.readImatrix(imatrix));
                fileBytes = ModelExport.export(pruned, Recipe.preset(preset.get()), this.out, options,
                        ProgressMonitor.NONE).fileBytes();
            } else {
                if (OutputFormat.of(this.out) != OutputFormat.GGUF) {
                    throw new IllegalArgumentException("structured pruning writes GGUF: name OUT .gguf");
                }
                GgufOutputLayout layout = StructuredPruner.write(pruned, this.out, ProgressMonitor.NONE);
                fileBytes = layout.fileSize();
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            pruned.metadata().forEach((k, v) -> {
                if (k.endsWith(".block_count") || k.endsWith(".feed_forward_length") || k.endsWith(".attention.head_count")
                        || k.endsWith(".attention.head_count_kv")) meta.put(k, v);
            });
            if (json.json) {
                var o = CliJson.object();
                o.put("output", this.out.toString());
                o.put("sourceBytes", sourceBytes);
                o.put("fileBytes", fileBytes);
                o.put("importance", calibrationOptions.text == null ? "weights" : "calibrated");
                meta.forEach((k, v) -> o.put(k, String.valueOf(v)));
                CliJson.printPretty(out, o);
            } else {
                meta.forEach((k, v) -> out.println(k + " = " + v));
                out.printf(Locale.ROOT, "wrote %s: %d bytes (%s), from %d bytes (%.1f %% smaller)%s%n", this.out,
                        fileBytes, Units.bytes(fileBytes), sourceBytes, 100.0 * (sourceBytes - fileBytes) / sourceBytes,
                        preset.map(p -> ", quantized " + p.name()).orElse(""));
            }
        }
        out.flush();
        return 0;
    }

    /** One line per pruned tensor: sparsity after pruning and in the file, and the sparse layouts' sizes. */
    private static void print(ExportResult r, String what, PrintWriter out) {
        int width = Math.max(6, r.pruned().stream().mapToInt(t -> t.name().length()).max().orElse(6));
        String row = "%-" + width + "s  %9s  %9s  %12s  %12s  %12s  %12s%n";
        out.printf(Locale.ROOT, row, "tensor", "sparsity", "in file", "dense bytes", "bitmask", "2:4 indexed", "CSR");
        long zeros = 0, stored = 0, all = 0;
        for (PrunedTensor t : r.pruned()) {
            out.printf(Locale.ROOT, row, t.name(), pct(t.sparsity()), pct(t.storedSparsity()), t.storage().denseBytes(),
                    layout(t, "sparse-bitmask"), layout(t, "2:4-indexed"), layout(t, "csr"));
            zeros += t.zeros();
            stored += t.storedZeros().orElse(t.zeros());
            all += t.parameters();
        }
        out.printf(Locale.ROOT, "pruned %d tensors: %s zero after pruning, %s in the file (%d of %d weights)%n",
                r.pruned().size(), pct((double) zeros / Math.max(1, all)), pct((double) stored / Math.max(1, all)),
                stored, all);
        out.printf(Locale.ROOT, "wrote %s: %d bytes (%s), %s; GGUF and safetensors have no sparse layout, so it is as "
                + "big as the dense model would be%n", r.output(), r.fileBytes(), Units.bytes(r.fileBytes()), what);
    }

    private static String layout(PrunedTensor t, String id) {
        return t.storage().layouts().stream().filter(l -> l.id().equals(id)).findFirst()
                .map(l -> String.valueOf(l.bytes())).orElse("-");
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * f);
    }

    private static Object json(ExportResult r, String what) {
        var o = CliJson.object();
        o.put("output", r.output().toString());
        o.put("recipe", what);
        o.put("fileBytes", r.fileBytes());
        long zeros = 0, stored = 0, all = 0, bytes = 0;
        var arr = o.putArray("tensors");
        for (PrunedTensor t : r.pruned()) {
            var x = arr.addObject();
            x.put("name", t.name());
            x.put("rule", t.rule().label());
            x.put("parameters", t.parameters());
            x.put("zeros", t.zeros());
            x.put("sparsity", CliJson.rounded(t.sparsity(), 6));
            if (t.storedZeros().isPresent()) {
                x.put("storedZeros", t.storedZeros().getAsLong());
                x.put("storedSparsity", CliJson.rounded(t.storedSparsity(), 6));
            }
            long fileBytes = r.tensors().stream().filter(e -> e.name().equals(t.name())).mapToLong(TensorExport::fileBytes)
                    .findFirst().orElse(0);
            x.put("bytes", fileBytes);
            var layouts = x.putObject("sparseBytes");
            for (SparseLayoutSize l : t.storage().layouts()) layouts.put(l.id(), l.bytes());
            zeros += t.zeros();
            stored += t.storedZeros().orElse(t.zeros());
            all += t.parameters();
            bytes += fileBytes;
        }
        var total = o.putObject("total");
        total.put("parameters", all);
        total.put("zeros", zeros);
        total.put("storedZeros", stored);
        total.put("sparsity", CliJson.rounded((double) zeros / Math.max(1, all), 6));
        total.put("storedSparsity", CliJson.rounded((double) stored / Math.max(1, all), 6));
        total.put("prunedTensorBytes", bytes);
        return o;
    }
}
