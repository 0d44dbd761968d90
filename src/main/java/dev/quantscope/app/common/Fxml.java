package dev.quantscope.app.common;

import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;

/** Loads a feature's FXML from {@code /dev/quantscope/app/<feature>/<name>.fxml} with a controller factory. */
public final class Fxml {
    private Fxml() {}

    public static Parent load(String feature, String name, ControllerFactory controllers) {
        String path = "/dev/quantscope/app/" + feature + "/" + name + ".fxml";
        URL url = Fxml.class.getResource(path);
        if (url == null) throw new IllegalStateException("missing FXML resource " + path);
        FXMLLoader loader = new FXMLLoader(url);
        loader.setControllerFactory(controllers);
        try {
            return loader.load();
        } catch (IOException e) {
            // FXML ships inside the jar: failing to read it is a build defect, not a user error.
            throw new UncheckedIOException("cannot load " + path, e);
        }
    }
}
