package dev.quantscope.recipe;

import java.io.IOException;

/**
 * A recipe file that cannot be read: names the file, the JSON path of the offending value ({@code $.rules[2].scheme})
 * and what is wrong with it.
 */
public final class RecipeFormatException extends IOException {
    private final String source;
    private final String jsonPath;
    private final String problem;

    public RecipeFormatException(String source, String jsonPath, String problem) {
        this(source, jsonPath, problem, null);
    }

    public RecipeFormatException(String source, String jsonPath, String problem, Throwable cause) {
        super(source + ": at " + jsonPath + ": " + problem, cause);
        this.source = source;
        this.jsonPath = jsonPath;
        this.problem = problem;
    }

    /** The file (or other origin) the recipe came from. */
    public String source() { return source; }

    public String jsonPath() { return jsonPath; }

    public String problem() { return problem; }
}
