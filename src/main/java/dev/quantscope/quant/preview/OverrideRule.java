package dev.quantscope.quant.preview;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * "Tensors whose names match this pattern get that target instead of the default." Globs are the shell's: {@code *}
 * any run of characters (dots included, so {@code blk.*.ffn_down.weight} covers every layer), {@code ?} one
 * character; the whole name must match. Regular expressions must also match the whole name.
 */
public record OverrideRule(String pattern, Syntax syntax, Target target) {

    public enum Syntax { GLOB, REGEX }

    public OverrideRule {
        Objects.requireNonNull(pattern);
        Objects.requireNonNull(syntax);
        Objects.requireNonNull(target);
        compile(pattern, syntax); // fail at construction, where the user typed it, not when planning
    }

    public boolean matches(String tensorName) {
        return compile(pattern, syntax).matcher(tensorName).matches();
    }

    /**
     * The pattern as a regular expression.
     * @throws IllegalArgumentException naming the problem when a regular expression does not compile
     */
    static Pattern compile(String pattern, Syntax syntax) {
        return switch (syntax) {
            case REGEX -> {
                try {
                    yield Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("bad regular expression '" + pattern + "': "
                            + e.getDescription(), e);
                }
            }
            case GLOB -> {
                StringBuilder re = new StringBuilder();
                for (char c : pattern.toCharArray()) {
                    switch (c) {
                        case '*' -> re.append(".*");
                        case '?' -> re.append('.');
                        default -> re.append(Pattern.quote(String.valueOf(c)));
                    }
                }
                yield Pattern.compile(re.toString());
            }
        };
    }
}
