package dev.quantscope.pipeline.plan;

import dev.quantscope.engine.classifier.Classifier;
import dev.quantscope.format.Model;
import dev.quantscope.format.gguf.GgufFile;
import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.ggml.QuantizedSize;
import dev.quantscope.quant.preset.ModelHparams;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.preset.PresetPlanner;
import dev.quantscope.quant.preset.SourceTensor;
import dev.quantscope.quant.preset.TensorChoice;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a {@link Recipe} on a model into its {@link ModelPlan}: for each tensor, the first matching rule that names
 * a scheme (else 1-D tensors and norms kept, else the base: a default scheme or a llama-quantize preset's choice),
 * preceded by the first matching rule that prunes, when the tensor may be pruned ({@link #prunable}).
 */
public final class Plans {
    private Plans() {}

    /**
     * The plan llama-quantize would follow for {@code preset}.
     * @throws IllegalArgumentException (e.g. PresetNotApplicableException) when llama-quantize would refuse the model
     */
    public static ModelPlan ofPreset(Preset preset, Model model) {
        return resolve(Recipe.preset(preset), model);
    }

    /** {@code recipe} resolved on {@code model} and named {@code label}. */
    public static ModelPlan of(Recipe recipe, String label, Model model) {
        return resolve(recipe, label, model, false);
    }

    /** A recipe's own name, else what it is made of. */
    private static String labelOf(Recipe recipe) {
        if (!recipe.name().isEmpty()) return recipe.name();
        String base = switch (recipe.base()) {
            case RecipeBase.DefaultScheme d -> d.scheme().label();
            case RecipeBase.PresetChoices p -> p.preset().name();
        };
        return recipe.rules().isEmpty() ? base : base + " + " + recipe.rules().size()
                + (recipe.rules().size() == 1 ? " rule" : " rules");
    }

    /**
     * {@code recipe} resolved on {@code model}: every tensor's chain and size. A tensor whose chain cannot be applied
     * (rows that do not fit a block type or an N:M group, a source that cannot be decoded) carries the problem, and
     * would stay as it is.
     *
     * @param withImatrix the model is quantized with an importance matrix, so a preset base chooses its types as
     *                    llama-quantize does when given {@code --imatrix}
     */
    public static ModelPlan resolve(Recipe recipe, Model model, boolean withImatrix) {
        return resolve(recipe, labelOf(recipe), model, withImatrix);
    }

    /** Without an importance matrix. */
    public static ModelPlan resolve(Recipe recipe, Model model) {
        return resolve(recipe, model, false);
    }

    /** As {@link #resolve(Recipe, Model, boolean)}, named {@code label} for legends. */
    public static ModelPlan resolve(Recipe recipe, String label, Model model, boolean withImatrix) {
        Map<String, TensorChoice> presetChoices = switch (recipe.base()) {
            case RecipeBase.DefaultScheme d -> Map.of();
            case RecipeBase.PresetChoices p -> presetChoices(p.preset(), model, withImatrix);
        };
        List<TensorPlan> out = new ArrayList<>(model.tensors().size());
        long sourceBytes = 0;
        Optional<String> classifierOutput = Classifier.outputWeightOf(model);
        for (TensorInfo t : model.tensors()) {
            sourceBytes = Math.addExact(sourceBytes, t.byteSize());
            out.add(plan(recipe, t, presetChoices, prunable(t, classifierOutput)));
        }
        Optional<Preset> preset = recipe.rules().isEmpty() && recipe.base() instanceof RecipeBase.PresetChoices p
                ? Optional.of(p.preset()) : Optional.empty();
        return new ModelPlan(label, recipe, out, preset, withImatrix, sourceBytes);
    }

    private static TensorPlan plan(Recipe recipe, TensorInfo t, Map<String, TensorChoice> presetChoices, boolean prunable) {
        int rule = recipe.schemeRule(t.name());
        QuantScheme scheme;
        String decidedBy;
        if (rule >= 0) {
            scheme = recipe.rules().get(rule).scheme().orElseThrow();
            decidedBy = "rule " + (rule + 1) + " (" + recipe.rules().get(rule).pattern().text() + ")";
        } else if (isVectorOrNorm(t)) {
            scheme = Keep.INSTANCE;
            decidedBy = "1-D/norm kept";
        } else {
            switch (recipe.base()) {
                case RecipeBase.DefaultScheme d -> {
                    scheme = d.scheme();
                    decidedBy = "default";
                }
                case RecipeBase.PresetChoices p -> {
                    TensorChoice c = presetChoices.get(t.name());
                    scheme = presetScheme(c);
                    decidedBy = "preset " + p.preset().name();
                }
            }
        }
        long rowLength = t.shape().rank() == 0 ? 1 : t.shape().rowLength();
        long rows = t.shape().rank() == 0 ? 1 : t.shape().rows();
        int pruneRule = prunable ? recipe.sparsityRule(t.name()) : -1;
        Optional<SparsityRule> pruning = pruneRule < 0 ? Optional.empty() : recipe.rules().get(pruneRule).sparsity();
        Optional<String> problem = problem(scheme, t, rowLength);
        if (problem.isEmpty() && pruning.isPresent()) problem = pruneProblem(pruning.get(), t, rowLength);
        QuantizedSize size = problem.isPresent()
                ? new QuantizedSize(t.parameters(), t.byteSize())
                : sizeOf(scheme, t, rows, rowLength);
        List<Transform> chain = new ArrayList<>(2);
        if (pruning.isPresent() && problem.isEmpty()) {
            chain.add(new Transform.Prune(pruning.get()));
            decidedBy += "; pruned by rule " + (pruneRule + 1) + " (" + recipe.rules().get(pruneRule).pattern().text() + ")";
        }
        chain.add(new Transform.Quantize(scheme));
        return new TensorPlan(t.name(), rows, rowLength, t.dtype(), chain, decidedBy, size, problem);
    }

    private static QuantizedSize sizeOf(QuantScheme scheme, TensorInfo t, long rows, long rowLength) {
        // A kept tensor takes exactly its bytes in the file, whatever its type (even types without a block size).
        if (scheme instanceof Keep) return new QuantizedSize(t.parameters(), t.byteSize());
        return scheme.size(t.dtype(), rows, rowLength);
    }

    private static Optional<String> pruneProblem(SparsityRule pruning, TensorInfo t, long rowLength) {
        if (FloatFormat.of(t.dtype()).isEmpty()) {
            // Pruning a quantized tensor would have to quantize it again (worse than quantizing the original).
            return Optional.of("stored as " + t.dtype() + ", it cannot be pruned: prune the F32, F16 or BF16 model, "
                    + "then quantize it");
        }
        return pruning.pattern().problem(rowLength).map(p -> "cannot be pruned " + pruning.pattern().label() + ": " + p);
    }

    /**
     * The tensors of {@code model} a sparsity rule may prune: the {@link #prunable(TensorInfo)} ones, less a
     * classifier's output layer, which pruning leaves dense as it leaves a Llama's head (its name says nothing:
     * {@code out.weight} in QuantScope's classifiers, {@code fc2.weight} in ggml's MNIST MLP).
     */
    public static List<TensorInfo> prunableTensors(Model model) {
        Optional<String> classifierOutput = Classifier.outputWeightOf(model);
        return model.tensors().stream().filter(t -> prunable(t, classifierOutput)).toList();
    }

    /** {@link #prunable(TensorInfo)}, and not the output layer of the classifier the model is, if it is one. */
    private static boolean prunable(TensorInfo t, Optional<String> classifierOutput) {
        return prunable(t) && !classifierOutput.equals(Optional.of(t.name()));
    }

    /**
     * Whether a sparsity rule may prune {@code t}: weight matrices, not the embeddings, the output head, norms or
     * biases, which every pruning method leaves dense (they are few weights, and the model breaks without them).
     */
    public static boolean prunable(TensorInfo t) {
        if (isVectorOrNorm(t)) return false;
        String n = t.name().toLowerCase(Locale.ROOT);
        return !n.endsWith(".bias") && !n.startsWith("token_embd") && !n.contains("embed_tokens")
                && !n.equals("output.weight") && !n.startsWith("lm_head") && !n.contains("wte") && !n.contains("wpe");
    }

    private static Optional<String> problem(QuantScheme scheme, TensorInfo t, long rowLength) {
        if (scheme instanceof Keep) return Optional.empty();
        if (!t.decodable()) return Optional.of(t.dtype() + " cannot be decoded to floats to quantize");
        return scheme.unsupportedReason(rowLength);
    }

    /**
     * 1-D tensors (ggml_n_dims < 2: trailing 1s do not count) and normalisation weights: what llama-quantize and
     * every common tool leave unquantized.
     */
    public static boolean isVectorOrNorm(TensorInfo t) {
        long[] dims = t.shape().dims();
        int big = 0;
        for (long d : dims) if (d > 1) big++;
        return big < 2 || t.name().toLowerCase(Locale.ROOT).contains("norm");
    }

    /** The type the preset planner chose, as a scheme: its ggml block type, or keep when it stays the source's. */
    private static QuantScheme presetScheme(TensorChoice c) {
        if (c == null || !c.quantizable() || !c.converts()) return Keep.INSTANCE;
        DType type = c.type();
        if (GgmlQuantizer.supports(type)) return new GgmlBlock(type);
        if (Cast.supports(type)) return new Cast(type); // llama-quantize's F16 fallback for rows no block fits
        throw new IllegalStateException(c.name() + ": preset chose " + type + ", which QuantScope cannot write");
    }

    private static Map<String, TensorChoice> presetChoices(Preset preset, Model model, boolean withImatrix) {
        List<TensorChoice> choices;
        if (model.details() instanceof GgufFile gguf) {
            choices = PresetPlanner.plan(preset, gguf, withImatrix);
        } else {
            List<SourceTensor> tensors = model.tensors().stream().map(SourceTensor::of).toList();
            choices = PresetPlanner.plan(preset, hparams(model), tensors, withImatrix);
        }
        Map<String, TensorChoice> byName = new HashMap<>();
        for (TensorChoice c : choices) byName.put(c.name(), c);
        return byName;
    }

    /** Hyper-parameters of a non-GGUF model from its config.json (Hugging Face names). */
    private static ModelHparams hparams(Model model) {
        if (!(model.metadata().get("config.json") instanceof Map<?, ?> cfg)) {
            throw new IllegalArgumentException(model.source() + ": a preset recipe needs the model's layer and head "
                    + "counts (GGUF metadata or config.json), and this model has neither");
        }
        int layers = intOf(cfg, "num_hidden_layers", 0);
        int heads = intOf(cfg, "num_attention_heads", 0);
        return new ModelHparams(model.architecture(), layers, heads, intOf(cfg, "num_key_value_heads", heads),
                intOf(cfg, "num_local_experts", 0));
    }

    private static int intOf(Map<?, ?> cfg, String key, int fallback) {
        return cfg.get(key) instanceof Number n ? Math.toIntExact(n.longValue()) : fallback;
    }
}
