package dev.quantscope.app;

import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.DialogPane;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.text.TextFlow;
import javafx.stage.Stage;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A new user's first run: the bundled model opened in a 1440×900 window, every page and tab visited with its
 * defaults, the default Compress, a one-click Prune model and a one-click Trade-off sweep run, a generation started with one click, and
 * Help → About opened. After each page's work has ended nothing may still show an error, a Java class name, a
 * placeholder or a busy text. Screenshots of each page go to target/screenshots/tour-*.png.
 */
@ExtendWith(ApplicationExtension.class)
class FirstRunTourTest {
    /** A guard against a page that never settles, not a figure under test: the sweep takes seconds on this model. */
    private static final int SETTLE_GUARD_SECONDS = 300;
    private static final Path BUNDLED_MODEL = Path.of("assets", "models", "stories260K.gguf");
    private static final int BUNDLED_TENSORS = 48;

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "tour");
        shell = app.shell();
        window = app.window();
        stage.setWidth(1440);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
        System.clearProperty(SweepCache.DIRECTORY_PROPERTY);
    }

    @Test
    void everyPageOfTheBundledModelWorksWithItsDefaults(FxRobot robot, @TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        robot.interact(() -> shell.open(BUNDLED_MODEL));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        // The document is listed before its pages are in the scene: let the FX thread place them first.
        WaitForAsyncUtils.waitForFxEvents();
        List<String> problems = new ArrayList<>();

        WindowFixture.selectPage(robot, "tensorsPage");
        checkEveryTab(robot, "Tensors", problems);

        WindowFixture.selectPage(robot, "overviewPage");
        checkEveryTab(robot, "Overview", problems);

        WindowFixture.selectPage(robot, "compressPage");
        checkEveryTab(robot, "Compress", problems);
        Path exported = dir.resolve("stories260K-default.gguf");
        exportWithDefaults(robot, exported, problems);
        try (Model model = ModelOpener.open(exported)) {
            assertEquals(BUNDLED_TENSORS, model.tensors().size(), "the default export holds every tensor");
        }

        WindowFixture.selectPage(robot, "prunePage");
        checkEveryTab(robot, "Prune", problems);
        press(robot, "#pruneRunButton");
        check(robot, "Prune run", problems);

        WindowFixture.selectPage(robot, "tradeoffPage");
        press(robot, "#runButton");
        check(robot, "Trade-off", problems);
        TableView<?> points = robot.lookup("#pointsTable").queryAs(TableView.class);
        assertTrue(points.getItems().size() >= 2, () -> "the sweep measured the ticked schemes: " + points.getItems());

        WindowFixture.selectPage(robot, "generatePage");
        press(robot, "#generateButton");
        check(robot, "Generate", problems);
        TextFlow original = robot.lookup("#originalFlow").queryAs(TextFlow.class);
        TextFlow variant = robot.lookup("#variantFlow").queryAs(TextFlow.class);
        assertTrue(original.getChildren().size() > 1 && variant.getChildren().size() > 1,
                "both panes continued the prompt");

        MenuBar bar = (MenuBar) window.stage().getScene().getRoot().lookup(".menu-bar");
        MenuItem about = bar.getMenus().stream().flatMap(m -> m.getItems().stream())
                .filter(i -> "aboutItem".equals(i.getId())).findFirst().orElseThrow();
        robot.interact(about::fire);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#aboutDialog").tryQuery().isPresent());
        Node dialog = robot.lookup("#aboutDialog").query();
        checkScene(robot, "About", dialog.getScene(), problems);
        robot.interact(() -> dialog.getScene().getWindow().hide());

        if (!problems.isEmpty()) fail("after the work ended:\n" + String.join("\n", problems));
    }

    /** Export… with every default but the file (the proposed folder is the user's home): the dialog, then the run. */
    private void exportWithDefaults(FxRobot robot, Path target, List<String> problems) throws Exception {
        press(robot, "#exportButton");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#exportDialog").tryQuery().isPresent());
        DialogPane dialog = robot.lookup("#exportDialog").queryAs(DialogPane.class);
        TextField file = robot.from(dialog).lookup("#exportFile").queryAs(TextField.class);
        assertFalse(file.getText().isBlank(), "the dialog proposes a file");
        robot.interact(() -> file.setText(target.toString()));
        checkScene(robot, "Compress export", dialog.getScene(), problems);
        Button export = (Button) dialog.lookupButton(dialog.getButtonTypes().stream()
                .filter(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).findFirst().orElseThrow());
        robot.interact(export::fire);
        WaitForAsyncUtils.waitFor(SETTLE_GUARD_SECONDS, TimeUnit.SECONDS, () -> Files.exists(target));
        check(robot, "Compress exported", problems);
    }

    /** Checks the page as it opens, then each tab of every tab pane on it (the explorer's charts, Compress' views). */
    private void checkEveryTab(FxRobot robot, String page, List<String> problems) throws Exception {
        check(robot, page, problems);
        TabPane pages = robot.lookup(".document-pages").queryAs(TabPane.class);
        Node content = pages.getSelectionModel().getSelectedItem().getContent();
        List<TabPane> inner = robot.from(content).lookup((Node n) -> n instanceof TabPane).queryAllAs(TabPane.class)
                .stream().toList();
        for (TabPane tabs : inner) {
            for (Tab tab : List.copyOf(tabs.getTabs())) {
                if (tab.isDisabled()) continue;
                robot.interact(() -> tabs.getSelectionModel().select(tab));
                check(robot, page + "/" + tab.getText(), problems);
            }
            robot.interact(() -> tabs.getSelectionModel().selectFirst());
        }
    }

    /** Waits for the page to settle, saves its screenshot, and adds what should not be showing to {@code problems}. */
    private void check(FxRobot robot, String page, List<String> problems) throws Exception {
        settle(robot);
        checkScene(robot, page, window.stage().getScene(), problems);
    }

    private static void checkScene(FxRobot robot, String page, Scene scene, List<String> problems) {
        Screenshots.save(robot, scene, "tour-" + page.toLowerCase().replaceAll("[^a-z0-9]+", "-"));
        AtomicReference<List<VisibleText>> texts = new AtomicReference<>();
        robot.interact(() -> texts.set(VisibleText.of(scene.getRoot())));
        for (VisibleText t : texts.get()) {
            String problem = t.problem();
            if (problem != null) problems.add(page + ": " + problem + " — " + t);
        }
        assertTrue(texts.get().size() > 10, () -> page + " shows almost nothing: " + texts.get());
    }

    /** Waits until no spinner or progress bar shows in the window (in two looks a quarter second apart). */
    private void settle(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Node root = window.stage().getScene().getRoot();
        AtomicBoolean busy = new AtomicBoolean(true);
        int[] quietLooks = {0};
        WaitForAsyncUtils.waitFor(SETTLE_GUARD_SECONDS, TimeUnit.SECONDS, () -> {
            robot.interact(() -> busy.set(VisibleText.busy(root)));
            quietLooks[0] = busy.get() ? 0 : quietLooks[0] + 1;
            if (quietLooks[0] < 2) Thread.sleep(250);
            return quietLooks[0] >= 2;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /**
     * Presses a button as a click would (a robot's mouse can miss after a dialog closed under Xvfb). Posted rather
     * than run through interact, which would wait for a modal dialog the button opens to close.
     */
    private static void press(FxRobot robot, String query) {
        Button button = robot.lookup(query).queryButton();
        assertFalse(button.isDisabled(), () -> query + " can be pressed");
        Platform.runLater(button::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

}
