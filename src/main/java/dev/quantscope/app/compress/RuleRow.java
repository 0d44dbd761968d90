package dev.quantscope.app.compress;

import dev.quantscope.quant.preview.OverrideRule;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One editable row of the override table: pattern, its syntax, and the target's name ("keep", "Q8_0", …). */
public final class RuleRow {
    private final StringProperty pattern = new SimpleStringProperty("");
    private final ObjectProperty<OverrideRule.Syntax> syntax = new SimpleObjectProperty<>(OverrideRule.Syntax.GLOB);
    private final StringProperty target = new SimpleStringProperty("keep");

    public RuleRow(String pattern, OverrideRule.Syntax syntax, String target) {
        this.pattern.set(pattern);
        this.syntax.set(syntax);
        this.target.set(target);
    }

    public StringProperty patternProperty() { return pattern; }

    public ObjectProperty<OverrideRule.Syntax> syntaxProperty() { return syntax; }

    public StringProperty targetProperty() { return target; }

    /** The engine's rule. @throws IllegalArgumentException naming the bad pattern or target */
    OverrideRule toRule() {
        return new OverrideRule(pattern.get(), syntax.get(), Targets.parse(target.get()));
    }
}
