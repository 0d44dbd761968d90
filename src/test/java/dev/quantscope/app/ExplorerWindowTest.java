package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.explorer.ExplorerViewModel;
import dev.quantscope.app.explorer.TreeRow;
import dev.quantscope.app.overview.MetadataRow;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.stats.Histogram;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.Node;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeTableView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real window under Xvfb: open a model, explore a tensor, look at every view, survive a broken file. */
@ExtendWith(ApplicationExtension.class)
class ExplorerWindowTest {
    private static final String TENSOR = "blk.0.attn_q.weight";

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "window");
        shell = app.shell();
        window = app.window();
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
    }

    @Test
    void histogramOfTheSelectedTensorCountsEveryElement(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        ExplorerViewModel explorer = doc.explorer();
        selectInTree(robot, TENSOR);
        assertEquals(TENSOR, explorer.selectedProperty().get().name());

        Histogram h = awaitDone(explorer.histogram()::state, "histogram");
        assertEquals(4096, explorer.selectedProperty().get().parameters());
        assertEquals(4096, h.total(), "histogram counts must sum to the element count");
        assertEquals(ExplorerViewModel.DEFAULT_BINS, h.bins());
        // What the chart draws is what the engine counted.
        assertEquals(4096.0, sumOfY(chartDataset(robot, "#histogramChart")), 0.0);

        awaitDone(explorer.stats()::state, "statistics");
        TableView<?> stats = robot.lookup("#statsTable").queryAs(TableView.class);
        assertEquals(15, stats.getItems().size());
        Screenshots.save(robot, window.stage().getScene(), "explorer-histogram");

        // Log counts and a new bin count redraw the same total.
        robot.interact(() -> explorer.logCountsProperty().set(true));
        robot.interact(() -> explorer.binsProperty().set(40));
        Histogram h40 = awaitDone(explorer.histogram()::state, "histogram with 40 bins");
        assertEquals(40, h40.bins());
        assertEquals(4096, h40.total());
        Screenshots.save(robot, window.stage().getScene(), "explorer-histogram-log");
    }

    /** The Dark theme menu item turns the window and the charts already drawn dark, and back. */
    @Test
    void theDarkThemeReachesTheCharts(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        selectInTree(robot, TENSOR);
        awaitDone(doc.explorer().histogram()::state, "histogram");
        ChartViewer viewer = robot.lookup("#histogramChart").queryAs(ChartViewer.class);
        javafx.scene.control.CheckMenuItem dark = (javafx.scene.control.CheckMenuItem) window.stage().getScene()
                .getRoot().lookupAll(".menu-bar").stream().findFirst()
                .map(bar -> ((javafx.scene.control.MenuBar) bar).getMenus().stream()
                        .flatMap(m -> m.getItems().stream()).filter(i -> "darkItem".equals(i.getId())).findFirst().orElseThrow())
                .orElseThrow();
        try {
            // what a click on the check item does: toggle it, then run its action
            robot.interact(() -> { dark.setSelected(true); dark.fire(); });
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(dark.isSelected());
            assertEquals(dev.quantscope.app.common.ChartStyle.DARK.paper(), viewer.getChart().getBackgroundPaint());
            assertEquals(dev.quantscope.app.common.ChartStyle.DARK.paper(), viewer.getChart().getPlot().getBackgroundPaint());
            Screenshots.save(robot, window.stage().getScene(), "explorer-histogram-dark");
        } finally {
            robot.interact(() -> { dark.setSelected(false); dark.fire(); });
        }
        assertEquals(dev.quantscope.app.common.ChartStyle.LIGHT.paper(), viewer.getChart().getBackgroundPaint());
    }

    @Test
    void theLatestSelectionWinsWhenTheSelectionChangesQuickly(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        ExplorerViewModel explorer = doc.explorer();
        selectInTree(robot, "token_embd.weight");
        selectInTree(robot, "blk.1.ffn_down.weight");
        selectInTree(robot, TENSOR);
        assertEquals(TENSOR, explorer.selectedProperty().get().name());
        // Whatever the earlier requests did, only the last selection's results may be shown.
        assertEquals(4096, awaitDone(explorer.histogram()::state, "histogram").total());
        assertEquals(4096, awaitDone(explorer.stats()::state, "statistics").count());
        assertEquals(64, awaitDone(explorer.channelRanges()::state, "channel ranges").channels());
        TreeTableView<?> tree = robot.lookup("#tensorTree").queryAs(TreeTableView.class);
        assertEquals(TENSOR, ((TreeRow) tree.getSelectionModel().getSelectedItem().getValue()).name());
    }

    @Test
    void heatmapChannelRangesAndOverviewRender(FxRobot robot) throws Exception {
        ModelDocument doc = openStories(robot);
        ExplorerViewModel explorer = doc.explorer();
        selectInTree(robot, TENSOR);

        selectTab(robot, "#chartTabs", 1);
        var heatmap = awaitDone(explorer.heatmap()::state, "heatmap");
        assertEquals(64, heatmap.height());
        assertEquals(64, heatmap.width());
        // Hovering the heatmap names row, column and value.
        Node view = robot.lookup(".heatmap").query();
        robot.moveTo(view);
        WaitForAsyncUtils.waitForFxEvents();
        String hover = robot.lookup("#hoverLabel").queryAs(Label.class).getText();
        assertTrue(hover.matches("row \\d+, column \\d+ +value .+"), hover);
        Screenshots.save(robot, window.stage().getScene(), "explorer-heatmap");

        selectTab(robot, "#chartTabs", 2);
        var ranges = awaitDone(explorer.channelRanges()::state, "channel ranges");
        assertEquals(heatmap.rows(), ranges.channels());
        assertEquals(2, chartDataset(robot, "#channelChart").getSeriesCount());
        // The wheel over a chart never zooms it (zoom is a drag, undone by a double-click).
        ChartViewer channels = robot.lookup("#channelChart").queryAs(ChartViewer.class);
        var xBefore = channels.getChart().getXYPlot().getDomainAxis().getRange();
        var yBefore = channels.getChart().getXYPlot().getRangeAxis().getRange();
        robot.moveTo(channels).scroll(5, javafx.geometry.VerticalDirection.UP);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(xBefore, channels.getChart().getXYPlot().getDomainAxis().getRange());
        assertEquals(yBefore, channels.getChart().getXYPlot().getRangeAxis().getRange());
        Screenshots.save(robot, window.stage().getScene(), "explorer-channels");

        selectTab(robot, ".document-pages", 1);
        awaitDone(doc.overview().summary()::state, "model summary");
        MetadataRow tokens = doc.overview().metadata().stream()
                .filter(r -> r.key().equals("tokenizer.ggml.tokens")).findFirst().orElseThrow();
        assertTrue(tokens.value().startsWith("[512 strings] "), tokens.value());
        // The dtype chart's bars add up to the model's tensor bytes (all F32 here).
        var dtypes = robot.lookup("#dtypeChart").queryAs(ChartViewer.class).getChart().getCategoryPlot().getDataset();
        assertEquals(1, dtypes.getColumnCount());
        assertEquals("F32 (48)", dtypes.getColumnKey(0));
        assertEquals(doc.model().tensorBytes() / (1024.0 * 1024.0), dtypes.getValue(0, 0).doubleValue(), 1e-9);
        Screenshots.save(robot, window.stage().getScene(), "overview");
    }

    @Test
    void aBrokenFileShowsItsNameInAnErrorDialogAndTheAppCarriesOn(FxRobot robot, @TempDir Path dir)
            throws Exception {
        Path bad = dir.resolve("broken-model.gguf");
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        garbage[0] = 'G'; garbage[1] = 'G'; garbage[2] = 'U'; garbage[3] = 'F';
        Files.write(bad, garbage);

        robot.interact(() -> shell.open(bad));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#errorDialog").tryQuery().isPresent());
        DialogPane dialog = robot.lookup("#errorDialog").queryAs(DialogPane.class);
        assertTrue(dialog.getHeaderText().contains("broken-model.gguf"), dialog.getHeaderText());
        assertTrue(dialog.getContentText().contains("broken-model.gguf"), dialog.getContentText());
        assertFalse(dialog.getContentText().contains("\tat "), "no stack trace in the dialog");
        assertTrue(shell.documents().isEmpty());
        Screenshots.save(robot, dialog.getScene(), "error-dialog");

        // Dismiss it; the main window is still up and still opens models.
        Window dialogWindow = dialog.getScene().getWindow();
        robot.interact(dialogWindow::hide);
        assertTrue(window.stage().isShowing());
        ModelDocument doc = openStories(robot);
        assertEquals("stories260K.gguf", doc.title());
    }

    // ---- helpers ----

    private ModelDocument openStories(FxRobot robot) throws Exception {
        Path model = SharedFiles.file("models/stories260K.gguf");
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }

    /** Selects a tensor through the tree's own selection model, as a click on its row does. */
    private void selectInTree(FxRobot robot, String name) {
        TreeTableView<?> tree = robot.lookup("#tensorTree").queryAs(TreeTableView.class);
        AtomicBoolean found = new AtomicBoolean();
        robot.interact(() -> {
            for (TreeItem<?> top : tree.getRoot().getChildren()) {
                List<TreeItem<?>> candidates = new ArrayList<>(top.getChildren());
                candidates.add(top);
                for (TreeItem<?> item : candidates) {
                    if (item.getValue() instanceof TreeRow.Tensor t && t.name().equals(name)) {
                        top.setExpanded(true);
                        selectItem(tree, item);
                        found.set(true);
                        return;
                    }
                }
            }
        });
        assertTrue(found.get(), name + " not in the tree");
        WaitForAsyncUtils.waitForFxEvents();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void selectItem(TreeTableView tree, TreeItem item) {
        tree.getSelectionModel().select(item);
        tree.scrollTo(tree.getRow(item));
    }

    private static void selectTab(FxRobot robot, String tabPaneQuery, int index) {
        TabPane tabs = robot.lookup(tabPaneQuery).queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(index));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static XYDataset chartDataset(FxRobot robot, String query) {
        ChartViewer viewer = robot.lookup(query).queryAs(ChartViewer.class);
        return viewer.getChart().getXYPlot().getDataset();
    }

    private static double sumOfY(XYDataset data) {
        double sum = 0;
        for (int s = 0; s < data.getSeriesCount(); s++) {
            for (int i = 0; i < data.getItemCount(s); i++) sum += data.getYValue(s, i);
        }
        return sum;
    }

    /** Waits until a job leaves Running, then insists it succeeded, reporting the message if it did not. */
    private static <T> T awaitDone(java.util.function.Supplier<Async<T>> state, String what) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> !(state.get() instanceof Async.Running<T>) && !(state.get() instanceof Async.Idle<T>));
        WaitForAsyncUtils.waitForFxEvents();
        Async<T> s = state.get();
        assertInstanceOf(Async.Done.class, s, () -> what + " did not complete: " + s);
        return ((Async.Done<T>) s).value();
    }
}
