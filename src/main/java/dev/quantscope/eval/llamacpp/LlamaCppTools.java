package dev.quantscope.eval.llamacpp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where llama.cpp's command-line tools are, and the command that starts one of them. llama.cpp ships either single
 * binaries ({@code llama-bench}, {@code llama-quantize}, side by side in one folder or a {@code bin/} below it) or,
 * as in this project's shared tools, a {@code llama} wrapper ({@code llama bench ARGS}) that also sets the library
 * path the binaries need. The wrapper is preferred where there is one: started directly, the binaries would not find
 * their libraries.
 *
 * @param given   the path as the user gave it, for messages
 * @param wrapper the {@code llama} multi-tool, if there is one
 * @param folder  the folder of the single binaries, if there is no wrapper
 */
public record LlamaCppTools(Path given, Optional<Path> wrapper, Optional<Path> folder) {

    /** The tools under the shared folder of this project's checkout: {@code ../shared/tools/llama.cpp}. */
    public static final Path SHARED = Path.of("..", "shared", "tools", "llama.cpp");

    /**
     * The tools at {@code path}: the {@code llama} wrapper or its folder, a folder holding {@code llama-bench}
     * (or {@code bin/llama-bench}), or a {@code llama-*} binary itself (its siblings are the other tools).
     *
     * @throws IllegalArgumentException in one sentence naming the path, when none of those is there
     */
    public static LlamaCppTools at(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            if (Files.isExecutable(p.resolve("llama")) && !Files.isDirectory(p.resolve("llama"))) {
                return new LlamaCppTools(path, Optional.of(p.resolve("llama")), Optional.empty());
            }
            for (Path dir : List.of(p, p.resolve("bin"))) {
                if (Files.isExecutable(dir.resolve("llama-bench")) || Files.isExecutable(dir.resolve("llama-quantize"))) {
                    return new LlamaCppTools(path, Optional.empty(), Optional.of(dir));
                }
            }
            throw new IllegalArgumentException(path + ": no llama.cpp tools there (looked for llama, llama-bench, "
                    + "bin/llama-bench)");
        }
        if (!Files.exists(p)) throw new IllegalArgumentException(path + ": no such file or folder (the llama.cpp tools)");
        String name = p.getFileName().toString();
        if (!Files.isExecutable(p)) throw new IllegalArgumentException(path + ": not executable (the llama.cpp tools)");
        if (name.equals("llama")) return new LlamaCppTools(path, Optional.of(p), Optional.empty());
        if (name.startsWith("llama-")) {
            // A binary inside the wrapper's tree (llama.cpp/bin/llama-bench beside llama.cpp/llama) needs the library
            // path only the wrapper sets: started on its own it stops before reading a file.
            Path parent = p.getParent(), wrapperHere = parent.getParent() == null ? null : parent.getParent().resolve("llama");
            if (wrapperHere != null && Files.isExecutable(wrapperHere) && !Files.isDirectory(wrapperHere)) {
                return new LlamaCppTools(path, Optional.of(wrapperHere), Optional.empty());
            }
            return new LlamaCppTools(path, Optional.empty(), Optional.of(parent));
        }
        throw new IllegalArgumentException(path + ": not one of llama.cpp's tools (give llama-bench, the llama "
                + "wrapper or their folder)");
    }

    /**
     * The tools found without being told where: {@code preferred} when set (a saved preference), else the project's
     * shared folder relative to the working directory, else nothing. A preferred path that holds no tools is
     * nothing too: the caller shows that no llama.cpp was found, and the setting to change.
     */
    public static Optional<LlamaCppTools> find(Optional<Path> preferred, Path workingDir) {
        List<Path> candidates = new ArrayList<>();
        preferred.ifPresent(candidates::add);
        candidates.add(workingDir.resolve(SHARED));
        for (Path c : candidates) {
            try {
                return Optional.of(at(c));
            } catch (IllegalArgumentException notThere) {
                // next candidate
            }
        }
        return Optional.empty();
    }

    /**
     * The command that starts {@code tool} ("bench", "quantize"), before its own arguments.
     *
     * @throws IllegalArgumentException when this installation has no such tool
     */
    public List<String> command(String tool) {
        if (wrapper.isPresent()) return List.of(wrapper.get().toString(), tool);
        Path binary = folder.orElseThrow().resolve("llama-" + tool);
        if (!Files.isExecutable(binary)) {
            throw new IllegalArgumentException(given + ": has no llama-" + tool + " beside it");
        }
        return List.of(binary.toString());
    }

    /** The command as one would type it, for a line under a table of figures. */
    public static String shellLine(List<String> command) {
        StringBuilder b = new StringBuilder();
        for (String word : command) {
            if (!b.isEmpty()) b.append(' ');
            b.append(word.matches("[A-Za-z0-9_./=:,+-]+") ? word : "'" + word.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }
}
