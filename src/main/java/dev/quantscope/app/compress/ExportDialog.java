package dev.quantscope.app.compress;

import dev.quantscope.format.safetensors.export.FloatFormat;
import dev.quantscope.pipeline.export.ExportOptions;
import dev.quantscope.pipeline.export.OutputFormat;
import dev.quantscope.pipeline.export.StampMode;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.quant.scheme.IntegerScheme;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import javafx.util.StringConverter;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Asks where and how to export the current plan: GGUF (only when every tensor has a ggml type and the source is
 * GGUF), safetensors with dequantized floats, or safetensors with integer schemes packed (compressed-tensors).
 * The file name follows the format; the input file is refused here already, before any work starts.
 */
public final class ExportDialog extends Dialog<ExportDialog.Request> {

    /**
     * What the user asked for.
     *
     * @param imatrix null, or an importance matrix file (llama-imatrix GGUF or legacy .dat) to weight a GGUF
     *                export's quantizers with, as {@code llama-quantize --imatrix}; read when the export runs
     */
    public record Request(Path target, ExportOptions options, Path imatrix) {}

    /** The choices the format picker offers. */
    public enum Choice {
        GGUF("GGUF for llama.cpp (ggml types)", OutputFormat.GGUF, false),
        SAFETENSORS("safetensors, dequantized floats", OutputFormat.SAFETENSORS, false),
        PACKED("safetensors, integer codes packed (compressed-tensors)", OutputFormat.SAFETENSORS, true);

        final String label;
        final OutputFormat format;
        final boolean packed;

        Choice(String label, OutputFormat format, boolean packed) {
            this.label = label;
            this.format = format;
            this.packed = packed;
        }
    }

    final ComboBox<Choice> format = new ComboBox<>();
    final ComboBox<FloatFormat> dtype = new ComboBox<>(FXCollections.observableArrayList(FloatFormat.values()));
    final TextField file = new TextField();
    final TextField imatrix = new TextField();
    private final Label problem = new Label();
    private final Label note = new Label();
    private final Path source;

    /** Proposes a file beside the input. */
    public ExportDialog(Window owner, Path source, ModelPlan plan, boolean ggufSource) {
        this(owner, source, plan, ggufSource, source.toAbsolutePath().normalize().getParent());
    }

    /** Proposes a file in {@code folder} (see {@link ExportFolders}). */
    public ExportDialog(Window owner, Path source, ModelPlan plan, boolean ggufSource, Path folder) {
        this.source = source.toAbsolutePath().normalize();
        Path dir = folder == null ? Path.of(".").toAbsolutePath().normalize() : folder;
        initOwner(owner);
        setTitle("Export quantized model");
        setHeaderText("Export " + plan.label());
        getDialogPane().setId("exportDialog");
        List<Choice> choices = new ArrayList<>();
        if (ggufSource && plan.ggufWritable()) choices.add(Choice.GGUF);
        choices.add(Choice.SAFETENSORS);
        if (plan.tensors().stream().anyMatch(t -> t.scheme() instanceof IntegerScheme)) choices.add(Choice.PACKED);
        format.setItems(FXCollections.observableArrayList(choices));
        format.setConverter(new StringConverter<>() {
            @Override public String toString(Choice c) { return c == null ? "" : c.label; }
            @Override public Choice fromString(String s) { return null; }
        });
        format.setId("exportFormat");
        format.setMaxWidth(Double.MAX_VALUE);
        dtype.setId("exportDtype");
        dtype.setValue(FloatFormat.F16);
        file.setId("exportFile");
        file.setPrefColumnCount(44);
        Button browse = new Button("Browse…");
        browse.setOnAction(_ -> browse());
        imatrix.setId("exportImatrix");
        imatrix.setPromptText("optional: a llama-imatrix file (.gguf or .dat)");
        Button browseImatrix = new Button("Browse…");
        browseImatrix.setOnAction(_ -> browseImatrix());
        browseImatrix.setMinWidth(Region.USE_PREF_SIZE);
        Label imatrixHint = new Label("weights the quantizers as llama-quantize --imatrix does (GGUF only)");
        imatrixHint.getStyleClass().add("muted");
        Label dtypeHint = new Label();
        dtypeHint.getStyleClass().add("muted");
        problem.getStyleClass().add("state-error");
        problem.setWrapText(true);

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(10);
        grid.setPadding(new Insets(14));
        grid.addRow(0, fixed(new Label("Format")), format);
        grid.addRow(1, fixed(new Label("Floats as")), new HBox(10, dtype, dtypeHint));
        browse.setMinWidth(Region.USE_PREF_SIZE);
        HBox fileRow = new HBox(8, file, browse);
        HBox.setHgrow(file, Priority.ALWAYS);
        grid.addRow(2, fixed(new Label("File")), fileRow);
        HBox imatrixRow = new HBox(8, imatrix, browseImatrix);
        HBox.setHgrow(imatrix, Priority.ALWAYS);
        grid.addRow(3, fixed(new Label("Importance matrix")), imatrixRow);
        grid.add(imatrixHint, 1, 4);
        grid.add(problem, 1, 5);
        grid.add(note, 1, 6);
        getDialogPane().setMinWidth(660);
        getDialogPane().setContent(grid);
        ButtonType export = new ButtonType("Export", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().setAll(export, ButtonType.CANCEL);

        String ggufNote = choices.contains(Choice.GGUF) ? "" : ggufSource
                ? "GGUF needs a ggml type for every tensor (integer grids, NF4, FP8… have none)."
                : "GGUF export needs a GGUF source model.";
        format.valueProperty().addListener((_, _, c) -> {
            if (c == null) return;
            dtype.setDisable(c == Choice.GGUF);
            imatrixRow.setDisable(c != Choice.GGUF);
            imatrixHint.setDisable(c != Choice.GGUF);
            dtypeHint.setText(switch (c) {
                case GGUF -> "ggml types as planned";
                case SAFETENSORS -> "every tensor dequantized (it carries the quantization error)";
                case PACKED -> "for the scales and unquantized tensors";
            });
            file.setText(suggested(dir, this.source, plan, c).toString());
        });
        format.setValue(choices.getFirst());
        note.setText(ggufNote);
        note.getStyleClass().add("muted");
        note.setWrapText(true);
        problem.setText(check(file.getText()).orElse(""));
        javafx.beans.InvalidationListener recheck = _ -> problem.setText(check(file.getText()).orElse(""));
        file.textProperty().addListener(recheck);
        imatrix.textProperty().addListener(recheck);
        format.valueProperty().addListener(recheck);
        getDialogPane().lookupButton(export).disableProperty().bind(Bindings.createBooleanBinding(
                () -> check(file.getText()).isPresent(), file.textProperty(), format.valueProperty(),
                imatrix.textProperty()));
        setResultConverter(b -> b == export ? request() : null);
    }

    private static Label fixed(Label l) {
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    /** The request the dialog's fields describe. */
    public Request request() {
        Choice c = format.getValue();
        Path target = Path.of(file.getText().strip());
        ExportOptions o = ExportOptions.forTarget(target).withPacked(c.packed)
                .withDtype(c.packed && dtype.getValue() == FloatFormat.BF16 ? FloatFormat.F16 : dtype.getValue())
                .withThreads(Math.max(1, Runtime.getRuntime().availableProcessors() - 1))
                .withStamp(StampMode.AUTO);
        return new Request(target, o, c == Choice.GGUF ? imatrixPath().orElse(null) : null);
    }

    /** The importance matrix field's file, if one is named. */
    private Optional<Path> imatrixPath() {
        String t = imatrix.getText();
        return t == null || t.isBlank() ? Optional.empty() : Optional.of(Path.of(t.strip()));
    }

    public ComboBox<Choice> formatBox() { return format; }

    public ComboBox<FloatFormat> dtypeBox() { return dtype; }

    public TextField fileField() { return file; }

    public TextField imatrixField() { return imatrix; }

    /** What is wrong with the chosen file, or "" (the Export button is disabled while there is a problem). */
    public String problem() { return check(file.getText()).orElse(""); }

    /** Why {@code text} is no place to export to, if it is not. */
    private Optional<String> check(String text) {
        if (text == null || text.isBlank()) return Optional.of("Choose a file.");
        Path p;
        try {
            p = Path.of(text.strip()).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.of("Not a file name: " + e.getReason());
        }
        if (p.equals(source)) return Optional.of("That is the input model: choose another file.");
        Choice c = format.getValue();
        if (c != null && !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(c.format.extension())) {
            return Optional.of("Name the file " + c.format.extension() + " for this format.");
        }
        if (c == Choice.GGUF) {
            try {
                Optional<Path> m = imatrixPath();
                if (m.isPresent() && !java.nio.file.Files.isRegularFile(m.get())) {
                    return Optional.of("No importance matrix file at " + m.get() + ".");
                }
            } catch (java.nio.file.InvalidPathException e) {
                return Optional.of("Not a file name for the importance matrix: " + e.getReason());
            }
        }
        return Optional.empty();
    }

    private void browseImatrix() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Importance matrix");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("llama-imatrix files", "*.gguf", "*.dat"));
        if (source.getParent() != null) chooser.setInitialDirectory(source.getParent().toFile());
        File f = chooser.showOpenDialog(getOwner());
        if (f != null) imatrix.setText(f.getAbsolutePath());
    }

    private void browse() {
        Choice c = format.getValue();
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export to");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(c.format.name(), "*" + c.format.extension()));
        Path current = Path.of(file.getText().strip()).toAbsolutePath();
        if (current.getParent() != null && current.getParent().toFile().isDirectory()) {
            chooser.setInitialDirectory(current.getParent().toFile());
        }
        chooser.setInitialFileName(current.getFileName().toString());
        File f = chooser.showSaveDialog(getOwner());
        if (f != null) file.setText(f.getAbsolutePath());
    }

    /** {@code model-f16.gguf} + Q4_K_M → {@code model-Q4_K_M.gguf} in {@code dir}; never the input's own name. */
    static Path suggested(Path dir, Path source, ModelPlan plan, Choice c) {
        String name = source.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = (dot > 0 ? name.substring(0, dot) : name).replaceAll("(?i)-(f16|f32|bf16)$", "");
        String tag = plan.preset().map(Enum::name)
                .orElse(plan.label().replaceAll("[^A-Za-z0-9_.+-]+", "-").replaceAll("-+$", ""));
        String suffix = c == Choice.PACKED ? "-packed" : "";
        return dir.resolve(stem + "-" + tag + suffix + c.format.extension());
    }
}
