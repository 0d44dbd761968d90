package dev.quantscope.engine.classifier;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An architecture as JSON, saved in safetensors' {@code __metadata__} under {@link #METADATA_KEY} and in
 * {@code NAME.architecture.json} beside other files:
 * {@code {"input": [1, 28, 28], "classes": 10, "layers": [{"name": "conv1", "type": "conv", "channels": 32, "kernel": 3}, …]}}.
 * Layer types: {@code dense} (units), {@code conv} (channels, kernel), {@code maxpool} (size), {@code flatten},
 * {@code relu}, {@code gelu}, {@code batchnorm}, {@code dropout} (rate).
 */
public final class ArchitectureJson {
    public static final String METADATA_KEY = "quantscope.architecture";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ArchitectureJson() {}

    /** The classifier architecture a model file describes (in its safetensors metadata or a JSON file beside it), if any. */
    public static java.util.Optional<Architecture> describedBy(dev.quantscope.format.Model model) {
        return ModelArchitecture.described(model);
    }

    public static String write(Architecture architecture) {
        ObjectNode root = MAPPER.createObjectNode();
        InputShape in = architecture.input();
        root.putArray("input").add(in.channels()).add(in.height()).add(in.width());
        root.put("classes", architecture.classes());
        ArrayNode layers = root.putArray("layers");
        for (Layer layer : architecture.layers()) {
            ObjectNode o = layers.addObject();
            o.put("name", layer.name());
            switch (layer.spec()) {
                case LayerSpec.Dense d -> o.put("type", "dense").put("units", d.units());
                case LayerSpec.Conv c -> o.put("type", "conv").put("channels", c.channels()).put("kernel", c.kernel());
                case LayerSpec.MaxPool p -> o.put("type", "maxpool").put("size", p.size());
                case LayerSpec.Flatten f -> o.put("type", "flatten");
                case LayerSpec.Relu r -> o.put("type", "relu");
                case LayerSpec.Gelu g -> o.put("type", "gelu");
                case LayerSpec.BatchNorm b -> o.put("type", "batchnorm");
                case LayerSpec.Dropout d -> o.put("type", "dropout").put("rate", d.rate());
            }
        }
        return root.toString();
    }

    /** @throws IllegalArgumentException with one sentence saying what is wrong */
    public static Architecture read(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("The architecture description is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").", e);
        }
        if (root == null || !root.isObject()) throw bad("it is not a JSON object");
        JsonNode input = root.get("input");
        if (input == null || !input.isArray() || input.size() != 3) throw bad("\"input\" must be [channels, height, width]");
        InputShape shape = new InputShape(positive(input.get(0), "input"), positive(input.get(1), "input"), positive(input.get(2), "input"));
        int classes = positive(root.get("classes"), "classes");
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray() || layersNode.isEmpty()) throw bad("\"layers\" must be a non-empty list");
        List<Layer> layers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode l : layersNode) {
            if (!l.isObject()) throw bad("each layer must be an object");
            JsonNode nameNode = l.get("name");
            if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isBlank()) throw bad("each layer needs a \"name\"");
            String name = nameNode.asText();
            if (!names.add(name)) throw bad("the layer name \"" + name + "\" is used twice");
            JsonNode typeNode = l.get("type");
            String type = typeNode == null ? "" : typeNode.asText();
            LayerSpec spec;
            try {
                spec = switch (type) {
                    case "dense" -> new LayerSpec.Dense(positive(l.get("units"), name + ".units"));
                    case "conv" -> new LayerSpec.Conv(positive(l.get("channels"), name + ".channels"),
                            l.has("kernel") ? positive(l.get("kernel"), name + ".kernel") : 3);
                    case "maxpool" -> new LayerSpec.MaxPool(l.has("size") ? positive(l.get("size"), name + ".size") : 2);
                    case "flatten" -> new LayerSpec.Flatten();
                    case "relu" -> new LayerSpec.Relu();
                    case "gelu" -> new LayerSpec.Gelu();
                    case "batchnorm" -> new LayerSpec.BatchNorm();
                    case "dropout" -> {
                        JsonNode rate = l.get("rate");
                        if (rate == null || !rate.isNumber()) throw bad("layer \"" + name + "\" needs a numeric \"rate\"");
                        yield new LayerSpec.Dropout(rate.asDouble());
                    }
                    default -> throw bad("layer \"" + name + "\" has the unknown type \"" + type
                            + "\" (dense, conv, maxpool, flatten, relu, gelu, batchnorm or dropout)");
                };
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("The architecture description")) throw e;
                throw bad("layer \"" + name + "\": " + stripDot(e.getMessage()));
            }
            layers.add(new Layer(name, spec));
        }
        try {
            return new Architecture(shape, layers, classes);
        } catch (IllegalArgumentException e) {
            throw bad(stripDot(e.getMessage()));
        }
    }

    private static int positive(JsonNode n, String field) {
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
            throw bad("\"" + field + "\" must be a positive whole number");
        }
        return n.asInt();
    }

    private static String stripDot(String s) {
        return s != null && s.endsWith(".") ? s.substring(0, s.length() - 1) : String.valueOf(s);
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("The architecture description is not usable: " + why + ".");
    }
}
