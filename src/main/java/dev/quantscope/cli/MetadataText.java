package dev.quantscope.cli;

import java.util.List;
import java.util.Map;

/** One-line renderings of metadata values: long arrays are summarised rather than printed in full. */
public final class MetadataText {
    private MetadataText() {}

    private static final int MAX_ITEMS = 8;
    private static final int MAX_CHARS = 160;

    public static String abbreviate(Object v) {
        String s = switch (v) {
            case null -> "null";
            case List<?> l when l.size() > MAX_ITEMS -> "[" + l.size() + " " + kind(l) + "] " + head(l);
            case List<?> l -> l.toString();
            case Map<?, ?> m -> "{" + m.size() + " keys} " + m.keySet();
            default -> String.valueOf(v);
        };
        s = s.replace("\n", "\\n");
        return s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS - 1) + "…" : s;
    }

    private static String kind(List<?> l) {
        Object first = l.getFirst();
        return switch (first) {
            case String s -> "strings";
            case Long n -> "integers";
            case Double d -> "floats";
            case Boolean b -> "booleans";
            case List<?> inner -> "arrays";
            default -> "values";
        };
    }

    private static String head(List<?> l) {
        return l.subList(0, MAX_ITEMS).toString().replaceFirst("]$", ", …]");
    }
}
