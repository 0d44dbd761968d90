package dev.quantscope.eval.sweep;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.RecipeJson;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One choice a sweep measures: a llama-quantize preset, or a custom recipe (a single scheme id such as
 * {@code int4-asym-g128-mse} is a recipe with that default), or a sparsity ({@link Pruned}: the weight matrices
 * pruned, then kept dense or quantized by one of the others). {@link #id()} is stable across runs: it names the
 * point in the cache and on the command line.
 */
public sealed interface SweepScheme {

    /** Stable id: the preset's name, the scheme id, or "recipe:" + name + a digest of the recipe's JSON. */
    String id();

    /** What the user reads in tables and charts. */
    String label();

    /** The recipe applied to the model. */
    Recipe recipe();

    record PresetScheme(Preset preset) implements SweepScheme {
        public PresetScheme {
            Objects.requireNonNull(preset);
        }

        @Override public String id() { return preset.name(); }

        @Override public String label() { return preset.name(); }

        @Override public Recipe recipe() { return Recipe.preset(preset); }
    }

    /** A single scheme for every matrix (1-D tensors and norms kept), as {@link Recipe#of} makes it. */
    record SingleScheme(QuantScheme scheme) implements SweepScheme {
        public SingleScheme {
            Objects.requireNonNull(scheme);
        }

        @Override public String id() { return scheme.id(); }

        @Override public String label() { return scheme.label(); }

        @Override public Recipe recipe() { return Recipe.of(scheme); }
    }

    /** A full recipe (rules and a base). Its id carries a digest of its canonical JSON, so an edit is a new point. */
    record CustomRecipe(Recipe recipe) implements SweepScheme {
        public CustomRecipe {
            Objects.requireNonNull(recipe);
        }

        @Override
        public String id() {
            String name = recipe.name().isBlank() ? "custom" : recipe.name().replaceAll("\\s+", "_");
            return "recipe:" + name + ":" + digest(RecipeJson.write(recipe)).substring(0, 16);
        }

        @Override public String label() { return recipe.name().isBlank() ? "custom recipe" : recipe.name(); }
    }

    /**
     * The prunable weight matrices ({@code Plans.prunable}: not embeddings, head, norms or biases) pruned by
     * {@code sparsity}, then quantized by {@code then}, or left in their source type when it is empty. The
     * quantization is {@code then}'s own recipe with one pruning rule added for every tensor, so a preset still
     * chooses its types as llama-quantize does.
     */
    record Pruned(SparsityRule sparsity, Optional<SweepScheme> then) implements SweepScheme {
        /** Every point id of a pruned scheme starts so, which no preset or scheme id does. */
        public static final String ID_PREFIX = "prune:";

        /**
         * What a pruned point's speed means. The engine has no sparse kernels: it multiplies pruned matrices, zeros
         * and all, with its dense ones (unstructured and N:M alike), so the speed measured is the unpruned model's.
         */
        public static final String SPEED_NOTE = "Pruned points run on the engine's dense kernels (it has no sparse "
                + "ones), so their speed is that of the same model unpruned.";

        public Pruned {
            Objects.requireNonNull(sparsity);
            Objects.requireNonNull(then);
            if (then.isPresent() && then.get() instanceof Pruned) {
                throw new IllegalArgumentException("a pruned scheme is quantized by a preset or scheme, not pruned twice");
            }
        }

        /** Pruned, the rest kept as it is. */
        public Pruned(SparsityRule sparsity) {
            this(sparsity, Optional.empty());
        }

        @Override
        public String id() {
            return ID_PREFIX + sparsity.method().id() + ":" + sparsity.pattern().label()
                    + (sparsity.global() ? ":global" : "") + then.map(t -> "+" + t.id()).orElse("");
        }

        @Override
        public String label() { return sparsity.label() + then.map(t -> " + " + t.label()).orElse(""); }

        @Override
        public Recipe recipe() {
            Recipe quantized = then.map(SweepScheme::recipe).orElseGet(() -> Recipe.of(Keep.INSTANCE));
            List<Rule> rules = new ArrayList<>(quantized.rules());
            rules.add(Rule.pruning("*", sparsity));
            return new Recipe(label(), quantized.base(), rules);
        }

        /** Whether the pruning reads a calibration text (Wanda, SparseGPT): its points then depend on that text. */
        public boolean calibrated() { return sparsity.method().calibrated(); }
    }

    /**
     * A preset name (case-insensitive: "q4_k_m") or a scheme id ("int4-asym-g128-mse", "ggml:Q8_0").
     * @throws IllegalArgumentException naming what is wrong with {@code text}
     */
    static SweepScheme parse(String text) {
        String t = text.strip();
        var preset = Preset.ofName(t);
        if (preset.isPresent()) return new PresetScheme(preset.get());
        try {
            return new SingleScheme(QuantScheme.parse(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + t + "' is neither a llama-quantize preset ("
                    + String.join(", ", Arrays.stream(Preset.values()).map(Preset::name).toList())
                    + ") nor a scheme id: " + e.getMessage(), e);
        }
    }

    static SweepScheme of(Preset preset) { return new PresetScheme(preset); }

    /** Every llama-quantize preset QuantScope reproduces, largest first (a sweep's natural default list). */
    static List<SweepScheme> allPresets() {
        return Arrays.stream(Preset.values()).map(p -> (SweepScheme) new PresetScheme(p)).toList();
    }

    static SweepScheme of(QuantScheme scheme) { return new SingleScheme(scheme); }

    /** A plain preset recipe ({@link Recipe#preset}) is the preset's point; anything else is a custom recipe. */
    static SweepScheme of(Recipe recipe) {
        if (recipe.rules().isEmpty() && recipe.base() instanceof RecipeBase.PresetChoices p
                && recipe.name().equals(p.preset().name())) {
            return new PresetScheme(p.preset());
        }
        return new CustomRecipe(recipe);
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
