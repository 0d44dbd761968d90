package dev.quantscope.app.common;

import javafx.util.Callback;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Creates FXML controllers from explicit bindings, so controllers receive their view models through their
 * constructors instead of reaching for globals. FXMLLoader hands the same factory to {@code fx:include}d files, so
 * one factory per window (or per open model) wires a whole tree of views.
 */
public final class ControllerFactory implements Callback<Class<?>, Object> {
    private final Map<Class<? extends FxController>, Supplier<? extends FxController>> bindings;

    private ControllerFactory(Map<Class<? extends FxController>, Supplier<? extends FxController>> bindings) {
        this.bindings = Map.copyOf(bindings);
    }

    public static Builder builder() { return new Builder(); }

    @Override
    public Object call(Class<?> type) {
        Supplier<? extends FxController> supplier = bindings.get(type);
        // An unbound controller is a wiring bug: fail loudly rather than fall back to reflection.
        if (supplier == null) throw new IllegalStateException("no controller binding for " + type.getName());
        return supplier.get();
    }

    public static final class Builder {
        private final Map<Class<? extends FxController>, Supplier<? extends FxController>> bindings = new HashMap<>();

        public <C extends FxController> Builder bind(Class<C> type, Supplier<? extends C> supplier) {
            if (bindings.putIfAbsent(type, supplier) != null) throw new IllegalStateException(type + " bound twice");
            return this;
        }

        public ControllerFactory build() { return new ControllerFactory(bindings); }
    }
}
