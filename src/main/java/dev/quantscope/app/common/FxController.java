package dev.quantscope.app.common;

/**
 * Marker for classes named by {@code fx:controller} in an FXML file. Controllers stay thin: they bind controls to a
 * view model and forward user actions; all state and background work live in the view model.
 */
public interface FxController {
}
