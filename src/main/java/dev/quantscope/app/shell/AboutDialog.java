package dev.quantscope.app.shell;

import dev.quantscope.engine.EngineBuild;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Help → About: what is running (the app's version and engine build, the same lines as {@code quantscope
 * --version}, plus the Java and JavaFX runtimes) and whose work ships with it (each library with its license,
 * and the bundled sample model's license text).
 */
final class AboutDialog {
    /** The sample model's license, copied into the jar from assets/models by the build. */
    private static final String MODEL_LICENSE = "LICENSE-stories260K.txt";
    private static final double WIDTH = 900;

    private AboutDialog() {}

    static void show(Window owner) {
        Dialog<Void> dialog = new Dialog<>();
        if (owner != null) dialog.initOwner(owner);
        dialog.setTitle("About QuantScope");
        dialog.setHeaderText("QuantScope");
        dialog.getDialogPane().setId("aboutDialog");
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.getDialogPane().setContent(content());
        dialog.getDialogPane().setPrefSize(WIDTH, 700);
        dialog.getDialogPane().setMinWidth(WIDTH);
        dialog.setResizable(true);
        dialog.show();
    }

    private static VBox content() {
        Label summary = new Label("Explore and compress neural-network model files: GGUF, safetensors, "
                + "PyTorch checkpoints and ONNX.");
        summary.setWrapText(true);

        GridPane facts = new GridPane(16, 4);
        fact(facts, 0, "Version", EngineBuild.versionLines().getFirst(), "aboutVersion");
        fact(facts, 1, "Engine", EngineBuild.identity(), "aboutEngine");
        fact(facts, 2, "Java", Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
                "aboutJava");
        fact(facts, 3, "JavaFX", System.getProperty("javafx.runtime.version", "unknown"), "aboutJavafx");
        Button copy = new Button("Copy version");
        copy.getStyleClass().add("small");
        copy.setOnAction(_ -> {
            // what a bug report needs: the same lines as `quantscope --version`, plus the runtimes
            ClipboardContent text = new ClipboardContent();
            text.putString(String.join("\n", EngineBuild.versionLines()) + "\nJava " + Runtime.version()
                    + "\nJavaFX " + System.getProperty("javafx.runtime.version", "unknown"));
            javafx.scene.input.Clipboard.getSystemClipboard().setContent(text);
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox top = new HBox(12, facts, spacer, copy);

        List<ThirdPartyLicense> libraries = ThirdPartyLicense.shipped();
        Label librariesTitle = sectionTitle("THIRD-PARTY LIBRARIES (" + libraries.size() + ")");
        TableView<ThirdPartyLicense> table = new TableView<>();
        table.setId("licenseTable");
        table.getStyleClass().addAll("dense", "striped");
        table.getColumns().setAll(List.of(
                column("Library", 150, ThirdPartyLicense::name),
                column("Artifact", 290, l -> l.groupId() + ":" + l.artifactId()),
                column("Version", 70, ThirdPartyLicense::version),
                column("License", 300, ThirdPartyLicense::licenses)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getItems().setAll(libraries);
        table.setPlaceholder(new Label("This copy was built without the license list (it is written by the "
                + "Maven build)."));
        table.setPrefHeight(260);
        VBox.setVgrow(table, Priority.ALWAYS);

        TextArea modelLicense = new TextArea(modelLicense());
        modelLicense.setId("modelLicense");
        modelLicense.setEditable(false);
        modelLicense.setWrapText(true);
        modelLicense.getStyleClass().add("mono");
        modelLicense.setPrefRowCount(8);

        VBox box = new VBox(10, summary, top, librariesTitle, table,
                sectionTitle("BUNDLED SAMPLE MODEL (assets/models/stories260K.gguf)"), modelLicense);
        box.setPadding(new Insets(8, 16, 0, 16));
        return box;
    }

    private static void fact(GridPane grid, int row, String name, String value, String id) {
        Label caption = new Label(name);
        caption.getStyleClass().add("muted");
        Label text = new Label(value);
        text.getStyleClass().add("mono");
        text.setId(id);
        grid.addRow(row, caption, text);
    }

    private static Label sectionTitle(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    private static TableColumn<ThirdPartyLicense, String> column(String title, double width,
                                                                Function<ThirdPartyLicense, String> value) {
        TableColumn<ThirdPartyLicense, String> c = new TableColumn<>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cell -> new ReadOnlyStringWrapper(value.apply(cell.getValue())));
        return c;
    }

    private static String modelLicense() {
        try (InputStream in = AboutDialog.class.getResourceAsStream(MODEL_LICENSE)) {
            // the file is hard-wrapped for a terminal; joined into paragraphs it wraps to the dialog's width
            if (in != null) return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()
                    .replaceAll("(?<!\n)\n(?!\n)", " ");
        } catch (IOException e) {
            // fall through to the short form
        }
        return "The license text is in assets/models/" + MODEL_LICENSE + ".";
    }
}
