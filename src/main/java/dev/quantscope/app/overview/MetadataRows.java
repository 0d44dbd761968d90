package dev.quantscope.app.overview;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Flattens model metadata into table rows. Values are abbreviated so that a 32,000-entry vocabulary or a 4 KB
 * chat template does not swamp the table: long arrays become "[32000 strings] a, b, c …", long strings are cut.
 * Nested objects (config.json) are flattened into dotted keys.
 */
public final class MetadataRows {
    /** Arrays up to this length are shown whole. */
    static final int SHORT_ARRAY = 8;
    /** How many leading elements of a long array are shown. */
    static final int PREVIEW_ELEMENTS = 3;
    static final int MAX_STRING = 160;
    /** What an unset special-token id reads as. */
    public static final String NO_TOKEN = "none";

    private MetadataRows() {}

    public static List<MetadataRow> of(Map<String, Object> metadata) {
        List<MetadataRow> rows = new ArrayList<>();
        metadata.forEach((k, v) -> add(rows, k, v));
        return rows;
    }

    private static void add(List<MetadataRow> rows, String key, Object value) {
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((k, v) -> add(rows, key + "." + k, v));
            return;
        }
        rows.add(new MetadataRow(key, typeOf(value), isNoToken(key, value) ? NO_TOKEN : display(value)));
    }

    /**
     * llama.cpp writes an unset special token (padding, separator, …) as id 0xFFFFFFFF, the u32 form of -1:
     * shown as a number it reads like a real (and impossible) token id.
     */
    static boolean isNoToken(String key, Object value) {
        if (!key.endsWith("token_id")) return false;
        return switch (value) {
            case Long l -> l == 0xFFFF_FFFFL || l == -1;
            case Integer i -> i == -1;
            case null, default -> false;
        };
    }

    static String typeOf(Object v) {
        return switch (v) {
            case null -> "null";
            case String _ -> "string";
            case Long _, Integer _, Short _, Byte _, BigInteger _ -> "integer";
            case Double _, Float _ -> "float";
            case Boolean _ -> "bool";
            case List<?> l -> "array" + (l.isEmpty() ? "" : " of " + plural(elementKind(l)));
            case Map<?, ?> _ -> "object";
            default -> v.getClass().getSimpleName();
        };
    }

    public static String display(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> cut(s);
            case Double d -> Double.toString(d);
            case List<?> l when l.size() > SHORT_ARRAY -> {
                StringJoiner preview = new StringJoiner(", ", "[" + l.size() + " " + plural(elementKind(l)) + "] ", " …");
                for (int i = 0; i < PREVIEW_ELEMENTS; i++) preview.add(element(l.get(i)));
                yield preview.toString();
            }
            case List<?> l -> {
                StringJoiner all = new StringJoiner(", ", "[", "]");
                for (Object e : l) all.add(element(e));
                yield cut(all.toString());
            }
            case Map<?, ?> m -> m.isEmpty() ? "{}" : "{" + m.size() + " keys}";
            default -> String.valueOf(v);
        };
    }

    private static String element(Object e) {
        return switch (e) {
            case String s -> quote(s.length() > 40 ? s.substring(0, 40) + "…" : s);
            case List<?> l -> "[" + l.size() + " items]";
            case Map<?, ?> m -> "{" + m.size() + " keys}";
            case null -> "null";
            default -> String.valueOf(e);
        };
    }

    private static String quote(String s) {
        // Control characters (tokenizer byte tokens like "\n") would break the table row; show them escaped.
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c == '\n') b.append("\\n");
            else if (c == '\t') b.append("\\t");
            else if (c < 0x20) b.append(String.format(Locale.ROOT, "\\x%02x", c));
            else b.appendCodePoint(c);
        });
        return b.append('"').toString();
    }

    private static String elementKind(List<?> l) {
        String kind = null;
        for (Object e : l) {
            String k = typeOf(e).startsWith("array") ? "array" : typeOf(e);
            if (kind == null) kind = k;
            else if (!kind.equals(k)) return "value";
        }
        return kind == null ? "value" : kind;
    }

    private static String plural(String kind) {
        return switch (kind) {
            case "string" -> "strings";
            case "integer" -> "integers";
            case "float" -> "floats";
            case "bool" -> "bools";
            case "array" -> "arrays";
            case "object" -> "objects";
            default -> "values";
        };
    }

    private static String cut(String s) {
        String oneLine = s.replace("\r", "").replace("\n", "⏎ ");
        if (oneLine.length() <= MAX_STRING) return oneLine;
        return oneLine.substring(0, MAX_STRING) + "… (" + s.length() + " chars)";
    }
}
