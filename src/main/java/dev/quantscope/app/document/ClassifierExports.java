package dev.quantscope.app.document;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The classifiers exported from this document's pages, in the order they were written: the Distill page adds to it,
 * the Trade-off page places each one beside the open model's compressed variants. Touched on the FX thread only.
 */
public final class ClassifierExports {
    private final ObservableList<ExportedClassifier> exports = FXCollections.observableArrayList();

    public ObservableList<ExportedClassifier> list() {
        return exports;
    }
}
