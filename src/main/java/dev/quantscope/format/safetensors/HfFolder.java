package dev.quantscope.format.safetensors;

import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** A Hugging Face model folder: where its safetensors weights are, and the JSON files shown as metadata. */
public final class HfFolder {
    private HfFolder() {}

    /** Side files shown as metadata, each under its own file name. tokenizer.json is summarised, not copied. */
    public static final List<String> SIDE_FILES = List.of(
            "config.json", "generation_config.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json");

    static final String SINGLE_FILE = "model.safetensors";
    static final String INDEX_FILE = "model.safetensors.index.json";
    static final String INDEX_SUFFIX = ".safetensors.index.json";
    /** Config-like files are kilobytes; tokenizer_config.json with a long chat template stays far below this. */
    static final long MAX_SIDE_FILE_BYTES = 16L << 20;

    /** Where a folder's weights are. */
    public sealed interface Weights {
        /** A sharded model described by an index file. */
        record Indexed(Path index) implements Weights {}

        /** One or more .safetensors files, each read in full. */
        record Files(List<Path> files) implements Weights {
            public Files {
                files = List.copyOf(files);
            }
        }
    }

    /**
     * Chooses the weights in {@code folder}: the standard index, else model.safetensors, else a single other
     * index, else every .safetensors file. Preferring the index matters: some folders (Mistral's) also hold a
     * consolidated copy of the same weights under other names.
     */
    public static Weights locate(Path folder) throws IOException {
        if (Files.isRegularFile(folder.resolve(INDEX_FILE))) return new Weights.Indexed(folder.resolve(INDEX_FILE));
        if (Files.isRegularFile(folder.resolve(SINGLE_FILE))) return new Weights.Files(List.of(folder.resolve(SINGLE_FILE)));
        List<Path> indexes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.sorted().toList()) {
                if (!Files.isRegularFile(p)) continue;
                String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(INDEX_SUFFIX)) indexes.add(p);
                else if (name.endsWith(".safetensors")) files.add(p);
            }
        }
        if (indexes.size() == 1) return new Weights.Indexed(indexes.getFirst());
        if (indexes.size() > 1) {
            throw new ModelFormatException(folder, "weights", -1, "holds several index files " + names(indexes)
                    + "; open the one you mean");
        }
        if (files.isEmpty()) {
            throw new ModelFormatException(folder, "weights", -1, "holds no .safetensors file and no "
                    + INDEX_FILE);
        }
        return new Weights.Files(files);
    }

    /** The side files present in {@code folder}, parsed, keyed by file name, in {@link #SIDE_FILES} order. */
    public static Map<String, Object> sideMetadata(Path folder) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : SIDE_FILES) {
            Path p = folder.resolve(name);
            if (!Files.isRegularFile(p)) continue;
            out.put(name, name.equals("tokenizer.json")
                    ? TokenizerSummary.summarize(p)
                    : Json.readObjectFile(p, MAX_SIDE_FILE_BYTES));
        }
        return out;
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }
}
