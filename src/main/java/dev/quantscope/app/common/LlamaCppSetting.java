package dev.quantscope.app.common;

import dev.quantscope.eval.llamacpp.LlamaCppTools;

import java.nio.file.Path;
import java.util.Optional;
import java.util.prefs.Preferences;

/**
 * Where llama.cpp's tools are, for the pages that can measure a variant with llama-bench beside QuantScope's own
 * figure: the folder (or llama-bench, or the llama wrapper) the user chose, kept in the preferences; without one, the
 * project's {@code ../shared/tools/llama.cpp} seen from the working directory (a checkout's tools, found in tests
 * and during development). Looked up each time it is asked, so a folder that appears or goes is noticed.
 */
public final class LlamaCppSetting {
    static final String KEY = "llamaCppPath";

    /** What every speed figure of QuantScope's own says, so that no one reads it as llama.cpp's. */
    public static final String OURS = "measured by QuantScope's engine on this machine";
    /** What a llama-bench figure says. */
    public static final String THEIRS = "measured by llama.cpp's llama-bench on this machine";

    private final Preferences node;
    private final Path workingDir;

    public LlamaCppSetting(Preferences node, Path workingDir) {
        this.node = node;
        this.workingDir = workingDir;
    }

    /** The user's preferences and the process's working directory. */
    public static LlamaCppSetting standard() {
        return new LlamaCppSetting(Preferences.userNodeForPackage(LlamaCppSetting.class),
                Path.of("").toAbsolutePath());
    }

    /** The tools, if they are found. */
    public Optional<LlamaCppTools> tools() {
        return LlamaCppTools.find(chosen(), workingDir);
    }

    /** The path the user chose, if any. */
    public Optional<Path> chosen() {
        String p = node.get(KEY, "");
        return p.isBlank() ? Optional.empty() : Optional.of(Path.of(p));
    }

    /**
     * Keeps {@code path} as the tools' place when it holds them.
     *
     * @throws IllegalArgumentException in one sentence when it holds none (nothing is kept then)
     */
    public void choose(Path path) {
        LlamaCppTools.at(path);
        node.put(KEY, path.toAbsolutePath().normalize().toString());
    }

    /** One line for the page: where the tools are, or that none were found and how to set them. */
    public String describe() {
        return tools().map(t -> "llama.cpp: " + t.given())
                .orElse("llama.cpp's tools not found: choose llama-bench with the Trade-off page's llama.cpp… "
                        + "button to compare with llama.cpp");
    }
}
