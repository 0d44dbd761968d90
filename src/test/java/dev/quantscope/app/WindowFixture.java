package dev.quantscope.app;

import dev.quantscope.app.common.Workers;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.RecentFiles;
import dev.quantscope.app.shell.ShellViewModel;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.prefs.Preferences;

/**
 * The app's main window on TestFX's stage, as the window tests set it up: its own worker pool and a throw-away
 * preferences node, so tests never see each other's recent files. ({@code ApplicationExtension} only finds
 * {@code @Start} methods declared in the test class itself, so this is a helper rather than a base class.)
 */
public record WindowFixture(ExecutorService workers, Preferences prefs, ShellViewModel shell, MainWindow window) {

    public static WindowFixture open(Stage stage, String name) {
        ExecutorService workers = Workers.newPool();
        Preferences prefs = Preferences.userRoot().node("dev/quantscope/tests/" + name + "-" + UUID.randomUUID());
        ShellViewModel shell = new ShellViewModel(workers, new RecentFiles(prefs));
        return new WindowFixture(workers, prefs, shell, MainWindow.show(stage, shell));
    }

    /** Closes every model, stops the pool and drops the preferences node. */
    public void close(FxRobot robot) throws Exception {
        robot.interact(shell::closeAll);
        workers.shutdownNow();
        prefs.removeNode();
    }

    /** Brings a page of the open document to the front ({@code tensorsPage}, {@code compressPage}, …). */
    public static void selectPage(FxRobot robot, String id) {
        TabPane tabs = robot.lookup(".document-pages").queryAs(TabPane.class);
        Tab tab = tabs.getTabs().stream().filter(t -> id.equals(t.getId())).findFirst().orElseThrow();
        robot.interact(() -> tabs.getSelectionModel().select(tab));
        WaitForAsyncUtils.waitForFxEvents();
    }
}
