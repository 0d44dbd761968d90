package dev.quantscope.eval.sweep;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Recipe;
import dev.quantscope.recipe.RecipeBase;
import dev.quantscope.recipe.RecipeJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One choice a sweep measures: a llama-quantize preset, or a custom recipe (a single scheme id such as
 * {@code int4-asym-g128-mse} is a recipe with that default). {@link #id()} is stable across runs: it names the
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
