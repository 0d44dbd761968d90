package dev.quantscope.app.compress;

import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.TensorPattern;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One editable row of the rules table: a {@link TensorPattern} as typed (glob, or {@code re:} + regular
 * expression) and a scheme id ("keep", "ggml:Q8_0", "int8-sym-row-rtn", …).
 */
public final class RuleRow {
    private final StringProperty pattern = new SimpleStringProperty("");
    private final StringProperty scheme = new SimpleStringProperty("keep");

    public RuleRow(String pattern, String scheme) {
        this.pattern.set(pattern);
        this.scheme.set(scheme);
    }

    /** The row showing a recipe's rule. */
    public static RuleRow of(Rule r) {
        return new RuleRow(r.pattern().text(), r.scheme().map(QuantScheme::id).orElse("(base)"));
    }

    public StringProperty patternProperty() { return pattern; }

    public StringProperty schemeProperty() { return scheme; }

    /** The recipe engine's rule. @throws IllegalArgumentException naming the bad pattern or scheme */
    Rule toRule() {
        QuantScheme s = Targets.parse(scheme.get());
        return new Rule(TensorPattern.parse(pattern.get().strip()), s);
    }
}
