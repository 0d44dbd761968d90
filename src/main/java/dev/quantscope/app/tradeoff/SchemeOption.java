package dev.quantscope.app.tradeoff;

import dev.quantscope.eval.sweep.SweepScheme;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

import java.util.Optional;

/**
 * One preset check box of the Trade-off page: the scheme, whether it is ticked, and why it cannot be ticked when
 * llama-quantize would refuse it for this model.
 */
public final class SchemeOption {
    private final SweepScheme scheme;
    private final BooleanProperty selected;
    private final Optional<String> unavailable;

    public SchemeOption(SweepScheme scheme, boolean selected, Optional<String> unavailable) {
        this.scheme = scheme;
        this.selected = new SimpleBooleanProperty(selected && unavailable.isEmpty());
        this.unavailable = unavailable;
    }

    public SweepScheme scheme() { return scheme; }

    public BooleanProperty selectedProperty() { return selected; }

    public Optional<String> unavailable() { return unavailable; }
}
