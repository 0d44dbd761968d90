package dev.quantscope.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
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
import java.util.Optional;
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
 *     { "match": "re:^output\\.weight$", "scheme": "keep" },
 *     { "match": "blk.*.ffn_*", "sparsity": { "method": "wanda", "pattern": "2:4" }, "type": "Q4_K" }
 *   ]
 * }
 * }</pre>
 * Schemes are written as their {@link QuantScheme#id() ids}; {@code "type": "Q4_K"} is short for
 * {@code "scheme": "ggml:Q4_K"}. A rule's {@code "sparsity"} prunes the tensors it matches before they are quantized:
 * {@code "method"} is magnitude, wanda or sparsegpt, {@code "pattern"} a fraction ("0.5", "50%") or N:M ("2:4"),
 * and {@code "global": true} (magnitude only) sets one threshold across all of them. Writing is canonical (fixed key order), so
 * read → write gives back the same text and write → read an equal recipe. Unknown keys are errors: a misspelt
 * "rule" must not silently quantize everything with the default.
 */
public final class RecipeJson {
    private RecipeJson() {}

    public static final String FORMAT = "quantscope.recipe/1";
    private static final Set<String> TOP_KEYS = Set.of("format", "name", "default", "preset", "rules");
    private static final Set<String> RULE_KEYS = Set.of("match", "scheme", "type", "sparsity");
    private static final Set<String> SPARSITY_KEYS = Set.of("method", "pattern", "global");
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
            r.scheme().ifPresent(scheme -> o.put("scheme", scheme.id()));
            r.sparsity().ifPresent(sp -> {
                ObjectNode so = o.putObject("sparsity");
                so.put("method", sp.method().id());
                so.put("pattern", sp.pattern().label());
                if (sp.global()) so.put("global", true);
            });
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
            if (node.has("scheme") && node.has("type")) throw fail(path, "give either \"scheme\" or \"type\", not both");
            if (!node.has("scheme") && !node.has("type") && !node.has("sparsity")) {
                throw fail(path + ".scheme", "missing (give a \"scheme\", a \"type\" or a \"sparsity\")");
            }
            String match = text(node.get("match"), path + ".match");
            TensorPattern pattern;
            try {
                pattern = TensorPattern.parse(match);
            } catch (IllegalArgumentException e) {
                throw fail(path + ".match", e.getMessage());
            }
            Optional<QuantScheme> scheme = Optional.empty();
            if (node.has("scheme")) scheme = Optional.of(scheme(node.get("scheme"), path + ".scheme"));
            if (node.has("type")) scheme = Optional.of(ggmlType(node.get("type"), path + ".type"));
            Optional<SparsityRule> sparsity = node.has("sparsity")
                    ? Optional.of(sparsity(node.get("sparsity"), path + ".sparsity")) : Optional.empty();
            return new Rule(pattern, scheme, sparsity);
        }

        private QuantScheme ggmlType(JsonNode node, String path) throws RecipeFormatException {
            return schemeOf("ggml:" + text(node, path).toUpperCase(java.util.Locale.ROOT), path);
        }

        private SparsityRule sparsity(JsonNode node, String path) throws RecipeFormatException {
            if (!node.isObject()) {
                throw fail(path, "expected an object {\"method\": …, \"pattern\": …}, found " + kind(node));
            }
            unknownKeys(node, SPARSITY_KEYS, path);
            if (!node.has("method")) throw fail(path + ".method", "missing (magnitude, wanda or sparsegpt)");
            if (!node.has("pattern")) throw fail(path + ".pattern", "missing (a fraction such as \"50%\" or N:M such as \"2:4\")");
            PruneMethod method;
            SparsityPattern pattern;
            try {
                method = PruneMethod.parse(text(node.get("method"), path + ".method"));
            } catch (IllegalArgumentException e) {
                throw fail(path + ".method", e.getMessage());
            }
            JsonNode p = node.get("pattern");
            try {
                pattern = SparsityPattern.parse(p.isNumber() ? p.asText() : text(p, path + ".pattern"));
            } catch (IllegalArgumentException e) {
                throw fail(path + ".pattern", e.getMessage());
            }
            boolean global = false;
            if (node.has("global")) {
                if (!node.get("global").isBoolean()) throw fail(path + ".global", "expected true or false, found " + kind(node.get("global")));
                global = node.get("global").asBoolean();
            }
            try {
                return new SparsityRule(method, pattern, global);
            } catch (IllegalArgumentException e) {
                throw fail(path, e.getMessage());
            }
        }

        private QuantScheme scheme(JsonNode node, String path) throws RecipeFormatException {
            return schemeOf(text(node, path), path);
        }

        private QuantScheme schemeOf(String id, String path) throws RecipeFormatException {
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
