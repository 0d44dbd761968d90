package dev.quantscope.pipeline.export;

import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.format.FileCommit;
import dev.quantscope.format.MappedPages;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.gguf.GgufKv;
import dev.quantscope.format.gguf.GgufOutput;
import dev.quantscope.format.gguf.GgufOutputLayout;
import dev.quantscope.format.gguf.GgufOutputTensor;
import dev.quantscope.format.gguf.GgufTensorEntry;
import dev.quantscope.format.gguf.GgufValueType;
import dev.quantscope.format.gguf.GgufWriter;
import dev.quantscope.format.safetensors.HfFolder;
import dev.quantscope.format.safetensors.ShardIndex;
import dev.quantscope.pipeline.prune.PlanPruning;
import dev.quantscope.pipeline.prune.PrunedBase;
import dev.quantscope.format.gguf.TensorBytes;
import dev.quantscope.quant.job.Conversion;
import dev.quantscope.quant.job.QuantizePipeline;
import dev.quantscope.quant.job.TensorTask;
import dev.quantscope.quant.metrics.ErrorMetrics;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.recipe.RecipeStamp;
import dev.quantscope.pipeline.plan.TensorPlan;
import dev.quantscope.task.ProgressMonitor;
import dev.quantscope.task.ProgressSlice;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Quantizes a whole model with any {@link Recipe} and writes a file other tools load: GGUF (llama.cpp) or
 * safetensors (transformers, vLLM). The recipe is resolved on the model ({@link ModelPlan}: one scheme per
 * tensor), the tensors are converted in parallel and streamed by {@link QuantizePipeline#convert} (only the
 * converted bytes are held, off the heap), and the file is written through {@link FileCommit}: a verified temporary
 * file renamed over the target, never the input, nothing left behind on failure or cancellation.
 *
 * <h2>GGUF</h2>
 * Every tensor's scheme must be a ggml block type, a {@link Cast} or {@link Keep}; a tensor whose scheme is its
 * own type is copied. The source must be GGUF: its metadata is copied as llama-quantize copies it, then
 * {@code general.quantization_version = 2} and {@code general.file_type}: the preset's llama_ftype for a recipe
 * based on a preset (also with extra rules, as llama-quantize keeps it under {@code --tensor-type} overrides),
 * else {@link LlamaFileType#of the "mostly" type} of the mix. A plain preset recipe therefore writes
 * exactly llama-quantize's file (and, like llama-quantize, refuses to requantize non-float tensors).
 *
 * <p>With {@link ExportOptions#imatrix()} (llama-quantize's {@code --imatrix}) a preset is planned as with an
 * imatrix, every ggml block type whose quantizer uses weights is weighted by its tensor's importance (a tensor the
 * imatrix has no entry for is quantized without weights, as llama-quantize does), and the
 * {@code quantize.imatrix.*} keys are appended as llama-quantize appends them (before any stamp).
 *
 * <h2>Safetensors</h2>
 * See {@link SafetensorsModelExport}: dequantized (every scheme: the file carries the quantization error) or
 * compressed-tensors packed integers.
 *
 * <h2>Stamp</h2>
 * With {@link ExportOptions#stamp()} the metadata gets {@link RecipeStamp#RECIPE_KEY} (the recipe's JSON) and
 * {@link RecipeStamp#SOURCE_SHA256_KEY} (the source file's SHA-256) as strings: GGUF key/values appended last,
 * safetensors {@code __metadata__} entries. A stamp copied from the source (an export of an export) is always
 * dropped, so a file never claims a recipe that did not make it.
 */
public final class ModelExport {
    private ModelExport() {}

    /** Progress scale: hashing the source, converting, writing. */
    static final long SCALE = 1_000_000, HASH_SHARE = 50_000, CONVERT_SHARE = 800_000;

    /** Of a plan that prunes, the pruning's share of the progress bar (the export's phases share the rest). */
    private static final long PRUNE_SHARE = 500_000;

    /**
     * @throws IllegalArgumentException when the recipe cannot be applied or represented in the output format
     *                                  (naming the tensor), or {@code out} is the input
     * @throws java.util.concurrent.CancellationException when cancelled; nothing is left behind
     */
    public static ExportResult export(Model source, Recipe recipe, Path out, ExportOptions options,
                                      ProgressMonitor monitor) throws IOException {
        FileCommit.checkTarget(out, inputs(source));
        ModelPlan plan = Plans.resolve(recipe, source, options.imatrix() != null);
        List<TensorPlan> problems = plan.problems();
        if (!problems.isEmpty()) {
            TensorPlan p = problems.getFirst();
            throw new IllegalArgumentException(p.name() + ": " + p.scheme().id() + " cannot be applied: "
                    + p.problem().orElseThrow() + (problems.size() > 1 ? " (and " + (problems.size() - 1)
                    + " more tensors)" : ""));
        }
        if (!plan.prunes()) return write(source, plan, out, options, monitor, null);
        boolean prepares = plan.tensors().stream()
                .anyMatch(t -> t.pruning().map(r -> r.global() || r.method().calibrated()).orElse(false));
        long share = prepares ? PRUNE_SHARE : 0;
        ProgressMonitor rest = new ProgressSlice(monitor, share, SCALE - share, SCALE);
        if (options.format() == OutputFormat.SAFETENSORS) {
            // The safetensors writers read their sources more than once (sizes, scales, codes): pruned into memory.
            try (PrunedBase pruned = PlanPruning.prune(source, plan, options.calibration(), options.threads(),
                    new ProgressSlice(monitor, 0, Math.max(share, 1), SCALE))) {
                ExportResult r = write(pruned.model(), plan, out, options, rest, null);
                return r.withPruned(StoredZeros.measure(r, pruned.tensors()));
            }
        }
        // GGUF streams: the block-by-block methods run first, every other tensor is pruned when it is converted.
        try (PlanPruning pruning = PlanPruning.prepare(source, plan, options.calibration(), options.threads(),
                new ProgressSlice(monitor, 0, Math.max(share, 1), SCALE))) {
            ExportResult r = write(pruning.model(), plan, out, options, rest, pruning);
            return r.withPruned(StoredZeros.measure(r, pruning.report()));
        }
    }

    /** @param pruning null, or the plan's pruning, applied to its tensors as they are converted (GGUF only) */
    private static ExportResult write(Model source, ModelPlan plan, Path out, ExportOptions options,
                                      ProgressMonitor monitor, PlanPruning pruning) throws IOException {
        return switch (options.format()) {
            case GGUF -> gguf(source, plan, out, options, monitor, pruning);
            case SAFETENSORS -> SafetensorsModelExport.export(source, plan, out, options, monitor);
        };
    }

    /** The stamp, when the options ask for one; hashing the source is the first phase of the progress bar. */
    static Optional<RecipeStamp> stamp(Model source, Recipe recipe, ExportOptions options, ProgressMonitor monitor)
            throws IOException {
        if (!options.stamp().stamps(recipe)) return Optional.empty();
        Path file = stampedFile(source.source());
        monitor.checkCancelled();
        RecipeStamp s = RecipeStamp.of(recipe, file);
        monitor.progress(HASH_SHARE, SCALE);
        return Optional.of(s);
    }

    /**
     * Files the export must not replace: the model's file, or for a Hugging Face folder every weights file (and
     * index) in it and its config.json, which a packed export would otherwise write over.
     */
    static List<Path> inputs(Model source) throws IOException {
        Path src = source.source().toAbsolutePath().normalize();
        List<Path> in = new ArrayList<>(List.of(src));
        Path folder = Files.isDirectory(src) ? src : src.getParent();
        if (Files.isDirectory(src)) {
            switch (HfFolder.locate(src)) {
                case HfFolder.Weights.Files(List<Path> files) -> in.addAll(files);
                case HfFolder.Weights.Indexed(Path index) -> {
                    in.add(index);
                    in.addAll(ShardIndex.read(index).shards());
                }
            }
        }
        if (folder != null && Files.exists(folder.resolve("config.json"))) in.add(folder.resolve("config.json"));
        return in;
    }

    /**
     * The file whose SHA-256 identifies the source: the model file, or the only weights file of a Hugging Face
     * folder. A sharded model has no single file to name, so it cannot be stamped.
     */
    private static Path stampedFile(Path source) throws IOException {
        if (Files.isRegularFile(source)) return source;
        if (Files.isDirectory(source)
                && HfFolder.locate(source.toAbsolutePath().normalize()) instanceof HfFolder.Weights.Files(List<Path> files)
                && files.size() == 1) {
            return files.getFirst();
        }
        throw new IllegalArgumentException(source + " is not one file, so it has no single SHA-256 to stamp; "
                + "export without the stamp (--no-stamp)");
    }

    static ProgressMonitor convertPhase(ProgressMonitor monitor) {
        return new ProgressSlice(monitor, HASH_SHARE, CONVERT_SHARE, SCALE);
    }

    static ProgressMonitor writePhase(ProgressMonitor monitor) {
        return new ProgressSlice(monitor, HASH_SHARE + CONVERT_SHARE, SCALE - HASH_SHARE - CONVERT_SHARE, SCALE);
    }

    /**
     * GGUF streams tensor by tensor: a tensor whose bytes stay is written straight from the source's mapping, and
     * every other one is pruned (when {@code pruning} says so) and converted only when the writer reaches it, into
     * memory freed once it is written. The output is never held whole; the file is verified by checksums.
     */
    private static ExportResult gguf(Model source, ModelPlan plan, Path out, ExportOptions options,
                                     ProgressMonitor monitor, PlanPruning pruning) throws IOException {
        if (!(source.details() instanceof GgufFile gguf)) {
            throw new IllegalArgumentException(source.source() + " is " + source.format().displayName()
                    + ": GGUF output needs a GGUF source (its metadata and tensor names); export to .safetensors instead");
        }
        Recipe recipe = plan.recipe();
        boolean presetBase = recipe.base() instanceof RecipeBase.PresetChoices;
        Map<String, TensorInfo> infos = new HashMap<>();
        for (TensorInfo t : source.tensors()) infos.put(t.name(), t);
        Map<String, GgufTensorEntry> entries = new HashMap<>();
        for (GgufTensorEntry e : gguf.tensors()) entries.put(e.name(), e);

        long start = System.nanoTime();
        Optional<RecipeStamp> stamp = stamp(source, recipe, options, monitor);
        int n = plan.tensors().size();
        List<DType> types = new ArrayList<>(n);
        ErrorMetrics[] errors = new ErrorMetrics[n];
        List<GgufOutputTensor> outputs = new ArrayList<>(n);
        List<Integer> copies = new ArrayList<>();
        List<TensorTask> copyTasks = new ArrayList<>();
        AtomicLong convertNanos = new AtomicLong();
        for (int i = 0; i < n; i++) {
            TensorPlan p = plan.tensors().get(i);
            TensorInfo t = infos.get(p.name());
            DType type = ggufType(p.scheme(), t);
            types.add(type);
            long[] ne = entries.get(t.name()).ne();
            boolean pruned = pruning != null && pruning.prunesLazily(t.name());
            if (type == t.dtype() && !pruned) {
                copies.add(i);
                copyTasks.add(new TensorTask(t, new Conversion.Copy(), t.data()));
                outputs.add(new GgufOutputTensor(t.name(), ne, type, t.data()));
                continue;
            }
            DType from = t.dtype();
            if (presetBase && from != DType.F32 && from != DType.F16 && from != DType.BF16) {
                throw new IllegalArgumentException(t.name() + ": stored as " + from + "; a llama-quantize preset "
                        + "quantizes only F32, F16 and BF16 tensors (requantizing is not supported)");
            }
            float[] importance = type == DType.F32 || type == DType.F16 || type == DType.BF16 ? null
                    : QuantizePipeline.importance(options.imatrix(), entries.get(t.name()), type);
            Conversion.Encode encode = new Conversion.Encode(type, importance);
            int index = i;
            outputs.add(new GgufOutputTensor(t.name(), ne, type, new TensorBytes.Produced() {
                private Arena arena;

                @Override
                public long byteSize() { return type.byteSize(t.parameters()); }

                @Override
                public MemorySegment open() {
                    long t0 = System.nanoTime();
                    arena = Arena.ofShared(); // the converter's workers fill it
                    TensorInfo from = pruned ? pruning.prune(t, arena) : t;
                    TensorTask task = new TensorTask(from, encode, QuantizePipeline.allocate(arena, byteSize()));
                    errors[index] = QuantizePipeline.convert(List.of(task), options.threads(), cancelOnly(monitor))
                            .getFirst();
                    convertNanos.addAndGet(System.nanoTime() - t0);
                    return task.output();
                }

                @Override
                public void release() {
                    arena.close();
                    MappedPages.release(t.data()); // read once: its pages need not stay resident while the rest is written
                }
            }));
        }
        // Copies allocate nothing: their error (none, or the exact figures of a decodable copy) is measured up front.
        List<ErrorMetrics> copyErrors = QuantizePipeline.convert(copyTasks, options.threads(), cancelOnly(monitor));
        for (int c = 0; c < copies.size(); c++) errors[copies.get(c)] = copyErrors.get(c);

        // A preset keeps its number also under extra rules, as llama-quantize's --tensor-type overrides do.
        long ftype = recipe.base() instanceof RecipeBase.PresetChoices p ? p.preset().llamaFtype()
                : LlamaFileType.of(types);
        GgufOutput output = GgufOutput.likeLlamaQuantize(gguf, ftype, outputs);
        if (options.imatrix() != null) output = options.imatrix().appendTo(output);
        output = withStamp(output, stamp);
        long writeStart = System.nanoTime();
        GgufOutputLayout layout = GgufWriter.write(output, out, inputs(source),
                new ProgressSlice(monitor, HASH_SHARE, SCALE - HASH_SHARE, SCALE));
        long written = System.nanoTime();
        List<TensorExport> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TensorPlan p = plan.tensors().get(i);
            TensorInfo t = infos.get(p.name());
            results.add(new TensorExport(p.name(), p.name(), t.dtype(), p.scheme(), types.get(i).name(), p.size(),
                    outputs.get(i).byteSize(), errors[i]));
        }
        long converting = (writeStart - start) + convertNanos.get();
        return new ExportResult(out, OutputFormat.GGUF, results, layout.fileSize(), Optional.empty(), stamp,
                List.of(), options.threads(), converting, written - start - converting, List.of());
    }

    /** Passes cancellation through, not progress: a tensor's conversion is part of the writer's progress in bytes. */
    private static ProgressMonitor cancelOnly(ProgressMonitor monitor) {
        return new ProgressMonitor() {
            @Override
            public void progress(long done, long total) {}

            @Override
            public boolean isCancelled() { return monitor.isCancelled(); }
        };
    }

    /** The ggml type a scheme stores {@code t} as in a GGUF file. */
    private static DType ggufType(QuantScheme scheme, TensorInfo t) {
        return switch (scheme) {
            case Keep k -> t.dtype();
            case Cast c -> c.type();
            case GgmlBlock g -> g.type();
            default -> throw new IllegalArgumentException(t.name() + ": " + scheme.id() + " cannot be stored in GGUF "
                    + "(only ggml block types, cast:F32/F16/BF16 and keep); export to .safetensors instead");
        };
    }

    /** The output's metadata without any stamp it copied, plus {@code stamp}'s keys at the end. */
    static GgufOutput withStamp(GgufOutput output, Optional<RecipeStamp> stamp) {
        List<GgufKv> kvs = new ArrayList<>();
        for (GgufKv kv : output.metadata()) {
            if (!kv.key().equals(RecipeStamp.RECIPE_KEY) && !kv.key().equals(RecipeStamp.SOURCE_SHA256_KEY)) kvs.add(kv);
        }
        if (kvs.size() == output.metadata().size() && stamp.isEmpty()) return output;
        stamp.ifPresent(s -> s.metadata().forEach((k, v) -> kvs.add(new GgufKv(k, GgufValueType.STRING, v))));
        return new GgufOutput(kvs, output.tensors());
    }
}
