package dev.quantscope.format;

import dev.quantscope.tensor.TensorInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives layers from tensor names. A layer is the name prefix up to and including the first number that
 * follows a known container word ({@code blk.N}, {@code model.layers.N}, {@code encoder.layer.N},
 * {@code transformer.h.N}, {@code layers.N}, …). Tensors outside any such layer are grouped by their first name
 * component ("token_embd", "output_norm", "fc1", …).
 */
public final class LayerGrouping {
    private LayerGrouping() {}

    private static final Pattern LAYER = Pattern.compile(
            "^(.*?(?:^|[./_])(?:blk|layers?|h|block|blocks|encoder\\.layer|decoder\\.layer|stages?)[._/])(\\d+)(?=[./_]|$)");

    /** The layer a tensor name belongs to: its prefix and number, or the first name component and -1. */
    public static LayerKey keyOf(String tensorName) {
        Matcher m = LAYER.matcher(tensorName);
        if (m.find()) {
            String prefix = m.group(1) + m.group(2);
            try {
                return new LayerKey(prefix, Integer.parseInt(m.group(2)));
            } catch (NumberFormatException tooLong) {
                return new LayerKey(prefix, -1);
            }
        }
        int cut = firstSeparator(tensorName);
        String head = cut > 0 ? tensorName.substring(0, cut) : tensorName;
        return new LayerKey(head, -1);
    }

    public record LayerKey(String name, int index) {}

    public static List<LayerGroup> group(List<TensorInfo> tensors) {
        Map<LayerKey, List<TensorInfo>> groups = new LinkedHashMap<>();
        for (TensorInfo t : tensors) groups.computeIfAbsent(keyOf(t.name()), k -> new ArrayList<>()).add(t);
        List<LayerGroup> out = new ArrayList<>(groups.size());
        groups.forEach((k, v) -> out.add(new LayerGroup(k.name(), k.index(), v)));
        return out;
    }

    /**
     * Where a name's first component ends. Names like "model.embed_tokens.weight" keep "model.embed_tokens"
     * so that a lone "model." prefix does not swallow everything.
     */
    private static int firstSeparator(String name) {
        int dot = name.indexOf('.');
        if (dot < 0) return -1;
        String first = name.substring(0, dot);
        if (first.equals("model") || first.equals("transformer") || first.equals("encoder") || first.equals("decoder")) {
            int next = name.indexOf('.', dot + 1);
            return next < 0 ? dot : next;
        }
        return dot;
    }
}
