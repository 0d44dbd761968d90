package dev.quantscope.app;

import dev.quantscope.app.common.Workers;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.RecentFiles;
import dev.quantscope.app.shell.ShellViewModel;
import javafx.application.Application;
import javafx.stage.Stage;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.prefs.Preferences;

/** The JavaFX application: one main window; command-line arguments are model paths to open. */
public final class QuantScopeApp extends Application {
    private ExecutorService workers;
    private ShellViewModel shell;

    public static void launchApp(String[] args) {
        Application.launch(QuantScopeApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        workers = Workers.newPool();
        RecentFiles recent = new RecentFiles(Preferences.userNodeForPackage(QuantScopeApp.class).node("recent"));
        shell = new ShellViewModel(workers, recent);
        MainWindow.show(stage, shell);
        for (String arg : getParameters().getRaw()) shell.open(Path.of(arg));
    }

    @Override
    public void stop() {
        if (shell != null) shell.closeAll();
        if (workers != null) workers.shutdownNow();
    }
}
