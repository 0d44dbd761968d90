package dev.quantscope.app;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

/** The JavaFX application. (Explorer window in progress.) */
public final class QuantScopeApp extends Application {

    public static void launchApp(String[] args) {
        Application.launch(QuantScopeApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        stage.setTitle("QuantScope");
        stage.setScene(new Scene(new Label("QuantScope"), 800, 600));
        stage.show();
    }
}
