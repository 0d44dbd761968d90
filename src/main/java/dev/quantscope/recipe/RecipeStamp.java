package dev.quantscope.recipe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an exported file records about how it was made: the recipe as JSON and the SHA-256 of the source model, so
 * the export can be reproduced (and checked against the right source) later.
 */
public record RecipeStamp(String recipeJson, String sourceSha256) {
    /** Metadata key for the recipe JSON. */
    public static final String RECIPE_KEY = "quantscope.recipe";
    /** Metadata key for the source file's SHA-256 (lower-case hex). */
    public static final String SOURCE_SHA256_KEY = "quantscope.source.sha256";

    public RecipeStamp {
        Objects.requireNonNull(recipeJson);
        Objects.requireNonNull(sourceSha256);
    }

    /** Stamps {@code recipe} with the digest of {@code sourceFile}, read streaming. */
    public static RecipeStamp of(Recipe recipe, Path sourceFile) throws IOException {
        return new RecipeStamp(RecipeJson.write(recipe), FileDigest.sha256(sourceFile));
    }

    /** The two metadata entries, in a stable order. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RECIPE_KEY, recipeJson);
        m.put(SOURCE_SHA256_KEY, sourceSha256);
        return m;
    }

    /** The recipe back from the stamp; errors name {@code origin} (e.g. the exported file). */
    public Recipe recipe(String origin) throws RecipeFormatException {
        return RecipeJson.parse(recipeJson, origin + " metadata " + RECIPE_KEY);
    }
}
