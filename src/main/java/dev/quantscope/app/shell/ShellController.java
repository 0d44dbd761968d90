package dev.quantscope.app.shell;

import atlantafx.base.theme.PrimerDark;
import dev.quantscope.app.common.ChartStyle;
import atlantafx.base.theme.PrimerLight;
import dev.quantscope.app.accuracy.AccuracyController;
import dev.quantscope.app.common.ControllerFactory;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Fxml;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.compress.CompressController;
import dev.quantscope.app.distill.DistillController;
import dev.quantscope.app.prune.PruneController;
import dev.quantscope.app.explorer.ExplorerController;
import dev.quantscope.app.generate.GenerateController;
import dev.quantscope.app.overview.OverviewController;
import dev.quantscope.app.tradeoff.TradeoffController;
import dev.quantscope.app.tradeoff.classifier.ClassifierTradeoffController;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.DragEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The main window: menus, one tab per open model, the status bar, drag-and-drop and error dialogs. */
public final class ShellController implements FxController {
    private final ShellViewModel vm;
    private final Map<ModelDocument, DocumentView> views = new HashMap<>();
    private boolean syncingTabs;

    @FXML private BorderPane root;
    @FXML private Menu recentMenu;
    @FXML private MenuItem closeItem;
    @FXML private CheckMenuItem darkItem;
    @FXML private TabPane documentTabs;
    @FXML private VBox emptyState;
    @FXML private Label statusFile;
    @FXML private Label statusFormat;
    @FXML private Label statusParams;
    @FXML private Label statusSize;
    @FXML private HBox openingBox;
    @FXML private Label openingLabel;
    @FXML private ProgressBar openingProgress;

    /** A document's tab and the explorer controller inside it. */
    public record DocumentView(Tab tab, ExplorerController explorer) {}

    public ShellController(ShellViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        vm.setOnFailure(this::showError);
        vm.documents().addListener((ListChangeListener<ModelDocument>) change -> {
            while (change.next()) {
                change.getRemoved().forEach(this::removeView);
                change.getAddedSubList().forEach(this::addView);
            }
            emptyState.setVisible(vm.documents().isEmpty());
        });
        vm.activeProperty().addListener((_, _, doc) -> {
            if (doc != null && views.containsKey(doc)) {
                syncingTabs = true;
                documentTabs.getSelectionModel().select(views.get(doc).tab());
                syncingTabs = false;
            }
            showStatus(doc);
        });
        documentTabs.getSelectionModel().selectedItemProperty().addListener((_, _, tab) -> {
            if (syncingTabs || tab == null) return;
            views.forEach((doc, view) -> {
                if (view.tab() == tab) vm.activeProperty().set(doc);
            });
        });
        closeItem.disableProperty().bind(vm.activeProperty().isNull());
        openingBox.visibleProperty().bind(vm.busyProperty());
        openingLabel.textProperty().bind(vm.openingMessageProperty());
        vm.recent().paths().addListener((ListChangeListener<Path>) _ -> rebuildRecentMenu());
        rebuildRecentMenu();
        showStatus(null);

        root.setOnDragOver(this::onDragOver);
        root.setOnDragDropped(this::onDragDropped);
    }

    // ---- documents ----

    private void addView(ModelDocument doc) {
        ExplorerController[] explorer = new ExplorerController[1];
        ControllerFactory controllers = ControllerFactory.builder()
                .bind(ExplorerController.class, () -> explorer[0] = new ExplorerController(doc.explorer()))
                .bind(OverviewController.class, () -> new OverviewController(doc.overview()))
                .bind(CompressController.class, () -> new CompressController(doc.compress()))
                .bind(PruneController.class, () -> new PruneController(doc.prune()))
                .bind(GenerateController.class, () -> new GenerateController(doc.generate()))
                .bind(TradeoffController.class, () -> new TradeoffController(doc.tradeoff()))
                .bind(AccuracyController.class, () -> new AccuracyController(doc.accuracy()))
                .bind(ClassifierTradeoffController.class, () -> new ClassifierTradeoffController(doc.classifierTradeoff()))
                .bind(DistillController.class, () -> new DistillController(doc.distill()))
                .build();
        Parent content = Fxml.load("document", "document", controllers);
        // The Compress and Prune pages measure only once first shown: opening a model stays cheap.
        if (content instanceof TabPane pages) {
            DocumentPages.follow(pages, doc);
            pages.getSelectionModel().selectedItemProperty().addListener((_, _, page) -> {
                if (page != null && "compressPage".equals(page.getId())) doc.compress().start();
                if (page != null && ModelDocument.PRUNE_PAGE.equals(page.getId())) doc.prune().start();
                if (page != null && ModelDocument.DISTILL_PAGE.equals(page.getId())) doc.distill().start();
            });
            // A page can send the user to another (Trade-off's "compare in Generate").
            doc.requestedPageProperty().addListener((_, _, id) -> {
                if (id == null) return;
                pages.getTabs().stream().filter(t -> id.equals(t.getId())).findFirst()
                        .ifPresent(t -> pages.getSelectionModel().select(t));
                doc.requestedPageProperty().set(null);
            });
        }
        Tab tab = new Tab(doc.title(), content);
        tab.setTooltip(new Tooltip(doc.source().toAbsolutePath().toString()));
        // Closing the tab from its × goes through the view model so the model is unmapped.
        tab.setOnClosed(_ -> vm.close(doc));
        views.put(doc, new DocumentView(tab, explorer[0]));
        documentTabs.getTabs().add(tab);
    }

    private void removeView(ModelDocument doc) {
        DocumentView view = views.remove(doc);
        if (view != null) documentTabs.getTabs().remove(view.tab());
    }

    private void showStatus(ModelDocument doc) {
        if (doc == null) {
            statusFile.setText("No model open");
            statusFormat.setText("");
            statusFormat.setVisible(false);
            statusParams.setText("");
            statusSize.setText("");
            return;
        }
        var m = doc.model();
        statusFile.setText(doc.source().toAbsolutePath().toString());
        statusFormat.setText(m.format().displayName());
        statusFormat.setVisible(true);
        statusParams.setText(Numbers.grouped(m.parameterCount()) + " parameters");
        statusSize.setText(Numbers.bytes(m.tensorBytes()));
    }

    /** The view of an open document, for tests and for menu actions that act on the front model. */
    public DocumentView view(ModelDocument doc) { return views.get(doc); }

    // ---- menu actions ----

    @FXML
    private void openFile() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open model");
        chooser.getExtensionFilters().addAll(
                new FileChooser.ExtensionFilter("Model files", "*.gguf", "*.safetensors", "*.pt", "*.pth", "*.bin",
                        "*.ckpt", "*.onnx", "*.state_dict", "*.safetensors.index.json"),
                new FileChooser.ExtensionFilter("All files", "*"));
        lastDirectory().ifPresent(chooser::setInitialDirectory);
        List<File> files = chooser.showOpenMultipleDialog(window());
        if (files != null) files.forEach(f -> vm.open(f.toPath()));
    }

    @FXML
    private void openFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open Hugging Face model folder");
        lastDirectory().ifPresent(chooser::setInitialDirectory);
        File dir = chooser.showDialog(window());
        if (dir != null) vm.open(dir.toPath());
    }

    private java.util.Optional<File> lastDirectory() {
        return vm.recent().paths().stream().findFirst().map(Path::getParent).map(Path::toFile).filter(File::isDirectory);
    }

    private void rebuildRecentMenu() {
        recentMenu.getItems().clear();
        for (Path p : vm.recent().paths()) {
            MenuItem item = new MenuItem(p.getFileName() + "   —   " + (p.getParent() == null ? "" : p.getParent()));
            item.setMnemonicParsing(false);
            item.setOnAction(_ -> vm.open(p));
            recentMenu.getItems().add(item);
        }
        if (recentMenu.getItems().isEmpty()) {
            MenuItem none = new MenuItem("No recent files");
            none.setDisable(true);
            recentMenu.getItems().add(none);
        } else {
            MenuItem clear = new MenuItem("Clear recent files");
            clear.setOnAction(_ -> vm.recent().clear());
            recentMenu.getItems().addAll(new SeparatorMenuItem(), clear);
        }
    }

    @FXML
    private void closeActive() {
        ModelDocument doc = vm.activeProperty().get();
        if (doc != null) vm.close(doc);
    }

    @FXML
    private void cancelOpening() { vm.cancelOpening(); }

    @FXML
    private void quit() {
        vm.closeAll();
        Platform.exit();
    }

    @FXML
    private void toggleTheme() {
        Application.setUserAgentStylesheet(darkItem.isSelected()
                ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
        root.getStyleClass().remove("dark");
        if (darkItem.isSelected()) root.getStyleClass().add("dark");
        ChartStyle.useDark(darkItem.isSelected());
    }

    @FXML
    private void about() { AboutDialog.show(window()); }

    // ---- drag and drop ----

    private void onDragOver(DragEvent e) {
        if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY, TransferMode.LINK);
        e.consume();
    }

    private void onDragDropped(DragEvent e) {
        boolean ok = e.getDragboard().hasFiles();
        if (ok) e.getDragboard().getFiles().forEach(f -> vm.open(f.toPath()));
        e.setDropCompleted(ok);
        e.consume();
    }

    // ---- errors ----

    /** Says what is wrong with the file; the window stays usable and the dialog does not block anything. */
    private void showError(OpenFailure failure) {
        Alert alert = new Alert(Alert.AlertType.ERROR);
        alert.initOwner(window());
        alert.setTitle("Cannot open model");
        alert.setHeaderText("Could not open " + failure.fileName());
        alert.setContentText(failure.message());
        alert.getDialogPane().setId("errorDialog");
        alert.getDialogPane().setMinWidth(520);
        alert.getDialogPane().getStyleClass().add("error-dialog");
        alert.show();
    }

    private Window window() { return root.getScene() == null ? null : root.getScene().getWindow(); }
}
