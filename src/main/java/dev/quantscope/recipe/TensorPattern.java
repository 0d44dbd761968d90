package dev.quantscope.recipe;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which tensor names a recipe rule applies to. Two spellings:
 * <ul>
 *   <li>a glob matched against the whole name: {@code *} is any run of characters (dots included, so
 *       {@code blk.*.ffn_down*} matches every layer), {@code ?} one character, everything else literal;</li>
 *   <li>{@code re:} followed by a Java regular expression that must occur somewhere in the name (like
 *       llama-quantize's {@code --tensor-type}); anchor it with {@code ^…$} to match whole names.</li>
 * </ul>
 * Equality is by the text as written, so a recipe reads back equal to what was written.
 */
public final class TensorPattern {
    public static final String REGEX_PREFIX = "re:";

    private final String text;
    private final Pattern compiled;
    private final boolean regex;

    private TensorPattern(String text) {
        this.text = text;
        this.regex = text.startsWith(REGEX_PREFIX);
        this.compiled = regex ? Pattern.compile(text.substring(REGEX_PREFIX.length())) : Pattern.compile(globToRegex(text));
    }

    /**
     * @throws IllegalArgumentException for an empty pattern or an invalid regular expression
     */
    public static TensorPattern parse(String text) {
        Objects.requireNonNull(text);
        if (text.isEmpty() || text.equals(REGEX_PREFIX)) throw new IllegalArgumentException("empty tensor pattern");
        try {
            return new TensorPattern(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription()
                    + " near index " + e.getIndex(), e);
        }
    }

    /** A pattern matching exactly {@code name} and nothing else. */
    public static TensorPattern exactly(String name) {
        return parse(REGEX_PREFIX + "^" + Pattern.quote(name) + "$");
    }

    public String text() { return text; }

    public boolean isRegex() { return regex; }

    public boolean matches(String name) {
        return regex ? compiled.matcher(name).find() : compiled.matcher(name).matches();
    }

    private static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) re.append(Pattern.quote(literal.toString()));
        return re.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorPattern p && p.text.equals(text);
    }

    @Override
    public int hashCode() { return text.hashCode(); }

    @Override
    public String toString() { return text; }
}
