package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.overview.MetadataRow;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.app.shell.ThirdPartyLicense;
import dev.quantscope.engine.EngineBuild;
import dev.quantscope.testing.SharedFiles;
import javafx.geometry.VerticalDirection;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.data.Range;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Overview page and Help → About in the real window under Xvfb, on stories260K. */
@ExtendWith(ApplicationExtension.class)
class OverviewWindowTest {
    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "overview");
        shell = app.shell();
        window = app.window();
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
    }

    @Test
    void theWheelScrollsThePageAndLeavesTheChartsAlone(FxRobot robot) throws Exception {
        ModelDocument doc = openOverview(robot);
        ChartViewer dtype = robot.lookup("#dtypeChart").queryAs(ChartViewer.class);
        ChartViewer kind = robot.lookup("#kindChart").queryAs(ChartViewer.class);
        Range dtypeBefore = valueRange(dtype);
        Range kindBefore = valueRange(kind);
        ScrollPane page = robot.lookup(".overview-scroll").queryAs(ScrollPane.class);
        assertEquals(0, page.getVvalue(), 0.0);

        robot.moveTo(dtype).scroll(3, VerticalDirection.DOWN);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(page.getVvalue() > 0, "the wheel over a chart scrolls the page");
        assertEquals(dtypeBefore, valueRange(dtype), "the wheel does not zoom the chart under the pointer");
        robot.moveTo(kind).scroll(3, VerticalDirection.UP);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(kindBefore, valueRange(kind));
        assertFalse(ChartViewers.isZoomed(dtype.getChart()) || ChartViewers.isZoomed(kind.getChart()));

        // Zoom is explicit (here as a drag would set it) and a double-click takes it back.
        Button reset = robot.from(kind).lookup(".chart-reset-zoom").queryAs(Button.class);
        assertFalse(reset.isVisible(), "nothing to reset before a zoom");
        robot.interact(() -> plot(kind).getRangeAxis().setRange(0.01, 0.02));
        assertTrue(reset.isVisible(), "a zoomed chart offers its way back");
        robot.doubleClickOn(kind);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(ChartViewers.isZoomed(kind.getChart()));
        assertEquals(kindBefore, valueRange(kind), "a double-click shows all the bars again");
        assertFalse(reset.isVisible());
        assertEquals(doc.model().tensorBytes() / (1024.0 * 1024.0),
                plot(dtype).getDataset().getValue(0, 0).doubleValue(), 1e-9);
    }

    @Test
    void theDtypeAxisFitsItsBarsAndUnsetTokenIdsReadNone(FxRobot robot) throws Exception {
        openOverview(robot);
        CategoryPlot dtype = plot(robot.lookup("#dtypeChart").queryAs(ChartViewer.class));
        double largest = 0;
        for (int i = 0; i < dtype.getDataset().getColumnCount(); i++) {
            largest = Math.max(largest, dtype.getDataset().getValue(0, i).doubleValue());
        }
        // the label fit runs after the chart has been drawn
        WaitForAsyncUtils.waitForFxEvents();
        double upper = dtype.getRangeAxis().getUpperBound();
        assertTrue(upper >= largest, "axis ends at " + upper + ", below the largest bar " + largest);
        assertTrue(upper <= 3 * largest, "axis ends at " + upper + ", far past the largest bar " + largest);

        @SuppressWarnings("unchecked")
        TableView<MetadataRow> table = robot.lookup("#metadataTable").queryAs(TableView.class);
        MetadataRow padding = table.getItems().stream()
                .filter(r -> r.key().equals("tokenizer.ggml.padding_token_id")).findFirst().orElseThrow();
        assertEquals("none", padding.value(), "stories260K's padding id is 0xFFFFFFFF: no token");
        assertTrue(table.getItems().stream().noneMatch(r -> r.value().contains("4294967295")));
        assertEquals("32.00", factValue(robot, "BITS / WEIGHT"), "the summary's fact, not a busy \"…\"");
        Screenshots.save(robot, window.stage().getScene(), "overview");
    }

    @Test
    void aboutShowsTheVersionAndEveryShippedLibraryWithItsLicense(FxRobot robot) throws Exception {
        MenuItem about = menuItem("aboutItem");
        robot.interact(about::fire);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#aboutDialog").tryQuery().isPresent());
        DialogPane dialog = robot.lookup("#aboutDialog").queryAs(DialogPane.class);
        String version = robot.from(dialog).lookup("#aboutVersion").queryAs(Label.class).getText();
        assertEquals(EngineBuild.versionLines().getFirst(), version);
        assertTrue(version.contains(EngineBuild.version()) && !EngineBuild.version().startsWith("unknown"), version);
        assertEquals(EngineBuild.identity(), robot.from(dialog).lookup("#aboutEngine").queryAs(Label.class).getText());

        @SuppressWarnings("unchecked")
        TableView<ThirdPartyLicense> table = robot.from(dialog).lookup("#licenseTable").queryAs(TableView.class);
        List<ThirdPartyLicense> listed = table.getItems();
        assertEquals(ThirdPartyLicense.shipped(), listed);
        assertTrue(listed.size() >= 10, "the build's license list is on the classpath: " + listed);
        assertTrue(listed.stream().noneMatch(l -> l.licenses().isBlank()));
        // Each listed library is one this JVM really loaded from a jar (no stale entries)...
        List<String> classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(p -> Path.of(p).getFileName().toString()).toList();
        for (ThirdPartyLicense l : listed) {
            assertTrue(classpath.stream().anyMatch(jar -> isJarOf(jar, l)), l + " is not on the classpath");
        }
        // ...and every jar the launcher ships is listed (target/lib exists once the project has been packaged).
        Path lib = Path.of("target", "lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                for (Path jar : jars.toList()) {
                    String name = jar.getFileName().toString();
                    assertTrue(listed.stream().anyMatch(l -> isJarOf(name, l)), name + " ships without a license entry");
                }
            }
        }
        String modelLicense = robot.from(dialog).lookup("#modelLicense").queryAs(TextArea.class).getText();
        assertTrue(modelLicense.contains("MIT License") && modelLicense.contains("Karpathy"), modelLicense);
        Screenshots.save(robot, dialog.getScene(), "about");
        robot.interact(() -> dialog.getScene().getWindow().hide());
    }

    // ---- helpers ----

    /** Maven's copy of an artifact is artifactId-version[-classifier].jar. */
    private static boolean isJarOf(String jar, ThirdPartyLicense l) {
        String stem = l.artifactId() + "-" + l.version();
        return jar.equals(stem + ".jar") || jar.startsWith(stem + "-") && jar.endsWith(".jar");
    }

    private ModelDocument openOverview(FxRobot robot) throws Exception {
        Path model = SharedFiles.file("models/stories260K.gguf");
        robot.interact(() -> shell.open(model));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        ModelDocument doc = shell.documents().getFirst();
        TabPane pages = robot.lookup(".document-pages").queryAs(TabPane.class);
        robot.interact(() -> pages.getSelectionModel().select(
                pages.getTabs().stream().filter(t -> "Overview".equals(t.getText())).findFirst().orElseThrow()));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> !(doc.overview().summary().state() instanceof Async.Running<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, doc.overview().summary().state());
        return doc;
    }

    private static CategoryPlot plot(ChartViewer viewer) {
        return viewer.getChart().getCategoryPlot();
    }

    private static Range valueRange(ChartViewer viewer) {
        return plot(viewer).getRangeAxis().getRange();
    }

    private String factValue(FxRobot robot, String caption) {
        return robot.lookup(".fact-card").queryAll().stream()
                .map(card -> (javafx.scene.layout.VBox) card)
                .filter(card -> caption.equals(((Label) card.getChildren().getFirst()).getText()))
                .map(card -> ((Label) card.getChildren().get(1)).getText()).findFirst().orElseThrow();
    }

    private MenuItem menuItem(String id) {
        MenuBar bar = (MenuBar) window.stage().getScene().getRoot().lookup(".menu-bar");
        return bar.getMenus().stream().flatMap(m -> m.getItems().stream()).filter(i -> id.equals(i.getId()))
                .findFirst().orElseThrow();
    }
}
