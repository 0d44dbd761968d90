package dev.quantscope.app.compress;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.preview.Target;
import dev.quantscope.tensor.DType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The targets a user can pick by name in the GUI: "keep", a ggml quantization type, or a float type. */
final class Targets {
    private Targets() {}

    /** Names in the order the pickers show them: keep, floats, then quantized types by decreasing bits per weight. */
    static List<String> names() {
        List<String> out = new ArrayList<>(List.of("keep", "F32", "F16", "BF16"));
        GgmlQuantizer.supportedTypes().stream()
                .sorted(Comparator.comparingDouble(DType::bitsPerElement).reversed().thenComparing(DType::name))
                .forEach(t -> out.add(t.name()));
        return out;
    }

    /** Ggml quantization types only, for the custom scheme's default. */
    static List<DType> quantTypes() {
        return GgmlQuantizer.supportedTypes().stream()
                .sorted(Comparator.comparingDouble(DType::bitsPerElement).reversed().thenComparing(DType::name))
                .toList();
    }

    static Target parse(String name) {
        String n = name == null ? "" : name.strip();
        if (n.equalsIgnoreCase("keep")) return Target.KEEP;
        DType t = DType.ofName(n.toUpperCase(java.util.Locale.ROOT))
                .orElseThrow(() -> new IllegalArgumentException("unknown target '" + n + "' (keep, F16, Q4_K, …)"));
        if (!Target.Stored.storable(t)) throw new IllegalArgumentException("cannot quantize to " + t);
        return new Target.Stored(t);
    }
}
