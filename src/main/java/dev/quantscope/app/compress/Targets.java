package dev.quantscope.app.compress;

import dev.quantscope.quant.ggml.GgmlQuantizer;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.tensor.DType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The schemes a user can pick by name in the rules table: recipe ids, plus bare ggml/float type names. */
final class Targets {
    private Targets() {}

    /** Suggestions for the rules table: keep, casts, ggml types by decreasing bits, then common other schemes. */
    static List<String> names() {
        List<String> out = new ArrayList<>(List.of("keep", "cast:F16", "cast:BF16"));
        quantTypes().forEach(t -> out.add("ggml:" + t.name()));
        out.addAll(List.of("int8-sym-row-rtn", "int4-asym-g128-mse", "int4-sym-g128-rtn", "int3-asym-g64-mse",
                "int2-asym-g32-mse", "ternary-row", "binary-row", "fp8-e4m3-row", "fp8-e5m2-row", "nf4-b64",
                "nf4-b64-dq", "fp4-e2m1-b32", "mxfp4"));
        return out;
    }

    /** Ggml quantization types by decreasing bits per weight. */
    static List<DType> quantTypes() {
        return GgmlQuantizer.supportedTypes().stream()
                .sorted(Comparator.comparingDouble(DType::bitsPerElement).reversed().thenComparing(DType::name))
                .toList();
    }

    /**
     * A scheme id as recipes write it ("int4-asym-g128-mse", "ggml:Q6_K", "keep"), or a bare type name for
     * convenience ("Q6_K", "F16").
     * @throws IllegalArgumentException naming what is wrong
     */
    static QuantScheme parse(String name) {
        String n = name == null ? "" : name.strip();
        var type = DType.ofName(n.toUpperCase(Locale.ROOT));
        if (type.isPresent() && !n.contains(":")) {
            DType t = type.get();
            if (Cast.supports(t)) return new Cast(t);
            if (GgmlQuantizer.supports(t)) return new GgmlBlock(t);
        }
        return QuantScheme.parse(n);
    }
}
