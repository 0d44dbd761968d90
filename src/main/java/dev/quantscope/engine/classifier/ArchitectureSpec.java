package dev.quantscope.engine.classifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The SPEC text of an architecture's hidden layers ({@link Architecture#parse}), both ways. */
final class ArchitectureSpec {
    private ArchitectureSpec() {}

    static Architecture parse(String spec, InputShape input, int classes) {
        List<Layer> layers = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        String[] items = spec.isBlank() ? new String[0] : spec.toLowerCase(Locale.ROOT).split(",");
        boolean spatial = !input.isFlat();
        for (int i = 0; i < items.length; i++) {
            String[] parts = items[i].strip().split(":");
            String kind = parts[0];
            boolean geluNext = i + 1 < items.length && items[i + 1].strip().equalsIgnoreCase("gelu");
            switch (kind) {
                case "fc" -> {
                    if (spatial) {
                        layers.add(new Layer(name("flatten", counts), new LayerSpec.Flatten()));
                        spatial = false;
                    }
                    layers.add(new Layer(name("fc", counts), new LayerSpec.Dense(number(parts, 1, -1, items[i]))));
                    layers.add(activation(geluNext, counts));
                    if (geluNext) i++;
                }
                case "conv" -> {
                    if (!spatial) throw bad(items[i], "a convolution needs an image, and the input here is already flat");
                    layers.add(new Layer(name("conv", counts),
                            new LayerSpec.Conv(number(parts, 1, -1, items[i]), number(parts, 2, 3, items[i]))));
                    layers.add(activation(geluNext, counts));
                    if (geluNext) i++;
                }
                case "pool" -> {
                    if (!spatial) throw bad(items[i], "pooling needs an image, and the input here is already flat");
                    layers.add(new Layer(name("pool", counts), new LayerSpec.MaxPool(number(parts, 1, 2, items[i]))));
                }
                case "bn" -> layers.add(new Layer(name("bn", counts), new LayerSpec.BatchNorm()));
                case "dropout" -> {
                    double rate;
                    try {
                        rate = parts.length > 1 ? Double.parseDouble(parts[1]) : 0.5;
                    } catch (NumberFormatException e) {
                        throw bad(items[i], "the rate is not a number");
                    }
                    layers.add(new Layer(name("dropout", counts), new LayerSpec.Dropout(rate)));
                }
                case "gelu", "relu" -> throw bad(items[i], "an activation follows an fc or conv item");
                default -> throw bad(items[i], "expected fc:N, conv:C[:K], pool[:N], bn, dropout[:P] or gelu");
            }
        }
        if (spatial) layers.add(new Layer(name("flatten", counts), new LayerSpec.Flatten()));
        layers.add(new Layer("out", new LayerSpec.Dense(classes)));
        try {
            return new Architecture(input, layers, classes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The architecture \"" + spec + "\" does not fit a " + input + " input: " + e.getMessage(), e);
        }
    }

    static String format(Architecture architecture) {
        List<String> items = new ArrayList<>();
        List<Layer> layers = architecture.layers();
        for (int i = 0; i < layers.size() - 1; i++) {
            switch (layers.get(i).spec()) {
                case LayerSpec.Dense d -> items.add("fc:" + d.units());
                case LayerSpec.Conv c -> items.add(c.kernel() == 3 ? "conv:" + c.channels() : "conv:" + c.channels() + ":" + c.kernel());
                case LayerSpec.MaxPool p -> items.add(p.size() == 2 ? "pool" : "pool:" + p.size());
                case LayerSpec.BatchNorm b -> items.add("bn");
                case LayerSpec.Dropout d -> items.add("dropout:" + d.rate());
                case LayerSpec.Gelu g -> items.add("gelu");
                case LayerSpec.Relu r -> { }      // implied after fc and conv
                case LayerSpec.Flatten f -> { }   // implied before the first fc after a convolution
            }
        }
        return String.join(",", items);
    }

    private static Layer activation(boolean gelu, Map<String, Integer> counts) {
        return gelu ? new Layer(name("gelu", counts), new LayerSpec.Gelu()) : new Layer(name("relu", counts), new LayerSpec.Relu());
    }

    private static String name(String kind, Map<String, Integer> counts) {
        return kind + counts.merge(kind, 1, Integer::sum);
    }

    private static int number(String[] parts, int index, int fallback, String item) {
        if (parts.length <= index) {
            if (fallback < 0) throw bad(item, "a size is missing");
            return fallback;
        }
        try {
            int n = Integer.parseInt(parts[index].strip());
            if (n < 1) throw bad(item, "sizes are positive");
            return n;
        } catch (NumberFormatException e) {
            throw bad(item, "\"" + parts[index] + "\" is not a whole number");
        }
    }

    private static IllegalArgumentException bad(String item, String why) {
        return new IllegalArgumentException("The architecture item \"" + item.strip() + "\" is not understood: " + why + ".");
    }
}
