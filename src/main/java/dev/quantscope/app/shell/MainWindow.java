package dev.quantscope.app.shell;

import atlantafx.base.theme.PrimerLight;
import dev.quantscope.app.common.ControllerFactory;
import dev.quantscope.app.common.Fxml;
import javafx.application.Application;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;

import java.util.Objects;

/** Builds the main window around a {@link ShellViewModel}: the one place the app and the tests create it. */
public final class MainWindow {
    private final Stage stage;
    private final ShellController controller;

    private MainWindow(Stage stage, ShellController controller) {
        this.stage = stage;
        this.controller = controller;
    }

    public static MainWindow show(Stage stage, ShellViewModel vm) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        ShellController[] shell = new ShellController[1];
        ControllerFactory controllers = ControllerFactory.builder()
                .bind(ShellController.class, () -> shell[0] = new ShellController(vm))
                .build();
        Parent root = Fxml.load("shell", "shell", controllers);
        Scene scene = new Scene(root, 1440, 900);
        scene.getStylesheets().add(Objects.requireNonNull(
                MainWindow.class.getResource("/dev/quantscope/app/app.css")).toExternalForm());
        stage.setTitle("QuantScope");
        for (int size : new int[] {16, 32, 64, 128, 256}) {
            var icon = MainWindow.class.getResource("/dev/quantscope/app/icons/quantscope-" + size + ".png");
            if (icon != null) stage.getIcons().add(new Image(icon.toExternalForm()));
        }
        stage.setScene(scene);
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        stage.setOnCloseRequest(_ -> vm.closeAll());
        stage.show();
        return new MainWindow(stage, shell[0]);
    }

    public Stage stage() { return stage; }

    public ShellController controller() { return controller; }
}
