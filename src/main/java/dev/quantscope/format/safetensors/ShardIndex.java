package dev.quantscope.format.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quantscope.format.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sharded model's {@code *.safetensors.index.json}: which shard file holds each tensor.
 *
 * @param file      the index file
 * @param weightMap tensor name to shard file (resolved, inside the index's folder), in index order
 * @param shards    the distinct shard files, in order of first mention
 * @param metadata  the index's optional "metadata" object (e.g. total_size), as plain values
 */
public record ShardIndex(Path file, Map<String, Path> weightMap, List<Path> shards, Map<String, Object> metadata) {

    /** Index files are a few hundred kB even for the largest models; this only stops absurd input. */
    static final long MAX_INDEX_BYTES = 64L << 20;

    public ShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        shards = List.copyOf(shards);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public static ShardIndex read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new ModelFormatException(file, "file", -1, "not a regular file");
        long size = Files.size(file);
        if (size > MAX_INDEX_BYTES) {
            throw new ModelFormatException(file, "file", -1, size + " bytes is larger than the " + MAX_INDEX_BYTES
                    + "-byte limit for an index");
        }
        Path folder = file.toAbsolutePath().normalize().getParent();
        Map<String, Path> weightMap = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        boolean sawWeightMap = false;
        try (JsonParser p = Json.MAPPER.createParser(Files.readAllBytes(file))) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ModelFormatException(file, "file", 0, "is not a JSON object");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                long at = offset(p);
                JsonToken v = p.nextToken();
                switch (key) {
                    case "weight_map" -> {
                        if (v != JsonToken.START_OBJECT) throw new ModelFormatException(file, "weight_map", at, "is not a JSON object");
                        sawWeightMap = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String tensor = p.currentName();
                            long entryAt = offset(p);
                            String field = "weight_map '" + tensor + "'";
                            if (p.nextToken() != JsonToken.VALUE_STRING) {
                                throw new ModelFormatException(file, field, entryAt, "shard file name is not a string");
                            }
                            weightMap.put(tensor, shardPath(file, folder, field, entryAt, p.getText()));
                        }
                    }
                    case "metadata" -> {
                        JsonNode m = p.readValueAsTree();
                        if (!m.isObject()) throw new ModelFormatException(file, "metadata", at, "is not a JSON object");
                        @SuppressWarnings("unchecked")
                        Map<String, Object> plain = (Map<String, Object>) Json.plain(m);
                        metadata.putAll(plain);
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) throw new ModelFormatException(file, "file", 0, "is not a JSON object");
            if (p.nextToken() != null) throw new ModelFormatException(file, "file", offset(p), "has data after the JSON object");
        } catch (JacksonException e) {
            throw Json.syntaxError(file, "file", 0, e);
        }
        if (!sawWeightMap) throw new ModelFormatException(file, "weight_map", -1, "is missing");
        Set<Path> shards = new LinkedHashSet<>(weightMap.values());
        return new ShardIndex(file, weightMap, new ArrayList<>(shards), metadata);
    }

    /**
     * Resolves a shard name inside the index's folder. The check is lexical on purpose: the Hugging Face cache
     * keeps each file as a symlink into a blobs folder elsewhere, so following links would refuse real models,
     * while refusing absolute names and ".." is what stops an index from reaching outside its model.
     */
    static Path shardPath(Path file, Path folder, String field, long at, String name) throws ModelFormatException {
        if (name.isEmpty()) throw new ModelFormatException(file, field, at, "shard file name is empty");
        Path rel;
        try {
            rel = Path.of(name);
        } catch (InvalidPathException e) {
            throw new ModelFormatException(file, field, at, "shard file name '" + name + "' is not a valid path");
        }
        if (rel.isAbsolute() || rel.getRoot() != null) {
            throw new ModelFormatException(file, field, at, "shard file '" + name + "' is an absolute path; it must be inside the model folder");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new ModelFormatException(file, field, at, "shard file '" + name + "' leaves the model folder");
            }
        }
        Path resolved = folder.resolve(rel).normalize();
        if (!resolved.startsWith(folder) || resolved.equals(folder)) {
            throw new ModelFormatException(file, field, at, "shard file '" + name + "' is not inside the model folder");
        }
        return resolved;
    }

    private static long offset(JsonParser p) {
        return Math.max(0, p.currentTokenLocation().getByteOffset());
    }
}
