package dev.quantscope.app.prune;

import dev.quantscope.prune.PruneMethod;
import dev.quantscope.prune.SparsityPattern;
import dev.quantscope.recipe.Rule;
import dev.quantscope.recipe.SparsityRule;
import dev.quantscope.recipe.TensorPattern;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.util.Locale;
import java.util.Optional;

/** One editable line of the Prune page's rules table: tensors matching a pattern get their own target or stay dense. */
public final class PruneRuleRow {
    /** What the target column says for a tensor left as it is. */
    public static final String DENSE = "keep dense";

    private final StringProperty pattern = new SimpleStringProperty();
    private final StringProperty target = new SimpleStringProperty();
    private final ObjectProperty<PruneMethod> method = new SimpleObjectProperty<>();

    public PruneRuleRow(String pattern, String target, PruneMethod method) {
        this.pattern.set(pattern);
        this.target.set(target);
        this.method.set(method);
    }

    public StringProperty patternProperty() { return pattern; }

    public StringProperty targetProperty() { return target; }

    public ObjectProperty<PruneMethod> methodProperty() { return method; }

    /**
     * The recipe rule: "keep dense" prunes nothing (a sparsity of 0, so no later rule prunes the tensor either).
     * @throws IllegalArgumentException naming a bad pattern or target
     */
    Rule toRule() {
        String t = target.get() == null ? "" : target.get().strip();
        SparsityRule rule = t.toLowerCase(Locale.ROOT).equals(DENSE) || t.equalsIgnoreCase("dense")
                ? new SparsityRule(PruneMethod.MAGNITUDE, new SparsityPattern.Unstructured(0))
                : new SparsityRule(method.get(), SparsityPattern.parse(t));
        return new Rule(TensorPattern.parse(pattern.get().strip()), Optional.empty(), Optional.of(rule));
    }
}
