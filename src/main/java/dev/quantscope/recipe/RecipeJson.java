package dev.quantscope.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Recipes as JSON, versioned so that later formats can still read old files:
 * <pre>{@code
 * {
 *   "format": "quantscope.recipe/1",
 *   "name": "int4 with 8-bit ffn_down",
 *   "default": "int4-asym-g128-rtn",          // or "preset": "Q4_K_M", not both
 *   "rules": [
 *     { "match": "blk.*.ffn_down*", "scheme": "int8-sym-row-rtn" },
 *     { "match": "re:^output\\.weight$", "scheme": "keep" }
 *   ]
 * }
 * }</pre>
 * Schemes are written as their {@link QuantScheme#id() ids}. Writing is canonical (fixed key order), so
 * read → write gives back the same text and write → read an equal recipe. Unknown keys are errors: a misspelt
 * "rule" must not silently quantize everything with the default.
 */
public final class RecipeJson {
    private RecipeJson() {}

    public static final String FORMAT = "quantscope.recipe/1";
    private static final Set<String> TOP_KEYS = Set.of("format", "name", "default", "preset", "rules");
    private static final Set<String> RULE_KEYS = Set.of("match", "scheme");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static Recipe read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param source names the origin in error messages (a file name, or "metadata of model.gguf")
     */
    public static Recipe parse(String json, String source) throws RecipeFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "$" : "$ (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
            throw new RecipeFormatException(source, where, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        return new Reader(source).recipe(root);
    }

    public static String write(Recipe recipe) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        if (!recipe.name().isEmpty()) root.put("name", recipe.name());
        switch (recipe.base()) {
            case RecipeBase.DefaultScheme d -> root.put("default", d.scheme().id());
            case RecipeBase.PresetChoices p -> root.put("preset", p.preset().name());
        }
        ArrayNode rules = root.putArray("rules");
        for (Rule r : recipe.rules()) {
            ObjectNode o = rules.addObject();
            o.put("match", r.pattern().text());
            o.put("scheme", r.scheme().id());
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serializes", e);
        }
    }

    public static void write(Recipe recipe, Path file) throws IOException {
        Files.writeString(file, write(recipe), StandardCharsets.UTF_8);
    }

    /** Reads one document, tracking the JSON path for messages. */
    private record Reader(String source) {

        Recipe recipe(JsonNode root) throws RecipeFormatException {
            if (root == null || root.isMissingNode()) throw fail("$", "empty document");
            if (!root.isObject()) throw fail("$", "expected an object, found " + kind(root));
            unknownKeys(root, TOP_KEYS, "$");
            JsonNode format = root.get("format");
            if (format == null) throw fail("$.format", "missing (expected \"" + FORMAT + "\")");
            if (!format.isTextual()) throw fail("$.format", "expected a string, found " + kind(format));
            if (!format.asText().equals(FORMAT)) {
                throw fail("$.format", "unsupported format \"" + format.asText() + "\" (this version reads \""
                        + FORMAT + "\")");
            }
            String name = root.has("name") ? text(root.get("name"), "$.name") : "";
            RecipeBase base = base(root);
            List<Rule> rules = new ArrayList<>();
            JsonNode rs = root.get("rules");
            if (rs != null) {
                if (!rs.isArray()) throw fail("$.rules", "expected an array, found " + kind(rs));
                for (int i = 0; i < rs.size(); i++) rules.add(rule(rs.get(i), "$.rules[" + i + "]"));
            }
            return new Recipe(name, base, rules);
        }

        private RecipeBase base(JsonNode root) throws RecipeFormatException {
            boolean hasDefault = root.has("default");
            boolean hasPreset = root.has("preset");
            if (hasDefault && hasPreset) throw fail("$", "give either \"default\" or \"preset\", not both");
            if (hasPreset) {
                String p = text(root.get("preset"), "$.preset");
                Preset preset = Preset.ofName(p).filter(x -> x.name().equals(p)).orElseThrow(() -> fail("$.preset",
                        "unknown preset \"" + p + "\" (known: " + Arrays.toString(Preset.values()) + ")"));
                return new RecipeBase.PresetChoices(preset);
            }
            if (!hasDefault) throw fail("$", "missing \"default\" (a scheme id) or \"preset\" (a llama-quantize preset)");
            return new RecipeBase.DefaultScheme(scheme(root.get("default"), "$.default"));
        }

        private Rule rule(JsonNode node, String path) throws RecipeFormatException {
            if (!node.isObject()) throw fail(path, "expected an object {\"match\": …, \"scheme\": …}, found " + kind(node));
            unknownKeys(node, RULE_KEYS, path);
            if (!node.has("match")) throw fail(path + ".match", "missing");
            if (!node.has("scheme")) throw fail(path + ".scheme", "missing");
            String match = text(node.get("match"), path + ".match");
            TensorPattern pattern;
            try {
                pattern = TensorPattern.parse(match);
            } catch (IllegalArgumentException e) {
                throw fail(path + ".match", e.getMessage());
            }
            return new Rule(pattern, scheme(node.get("scheme"), path + ".scheme"));
        }

        private QuantScheme scheme(JsonNode node, String path) throws RecipeFormatException {
            String id = text(node, path);
            try {
                return QuantScheme.parse(id);
            } catch (IllegalArgumentException e) {
                throw fail(path, e.getMessage());
            }
        }

        private String text(JsonNode node, String path) throws RecipeFormatException {
            if (!node.isTextual()) throw fail(path, "expected a string, found " + kind(node));
            return node.asText();
        }

        private void unknownKeys(JsonNode obj, Set<String> known, String path) throws RecipeFormatException {
            for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!known.contains(k)) {
                    throw fail(path + "." + k, "unknown key (expected one of " + known.stream().sorted().toList() + ")");
                }
            }
        }

        private RecipeFormatException fail(String path, String problem) {
            return new RecipeFormatException(source, path, problem);
        }

        private static String kind(JsonNode n) {
            return n.getNodeType().name().toLowerCase();
        }
    }
}
