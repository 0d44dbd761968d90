package dev.quantscope.app;

import dev.quantscope.app.accuracy.AccuracyReport;
import dev.quantscope.app.accuracy.AccuracyViewModel;
import dev.quantscope.app.accuracy.ConfusionCell;
import dev.quantscope.app.accuracy.ConfusionMatrixView;
import dev.quantscope.app.accuracy.MisclassifiedGrid;
import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.testing.SharedFiles;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Accuracy page in the real window under Xvfb: ggml's MNIST MLP (PyTorch state_dict in ../shared) on MNIST's
 * 10,000 test digits, its confusion matrix, its mistakes, and a cell of the matrix narrowing them down; and a Llama
 * document keeping its own pages.
 */
@ExtendWith(ApplicationExtension.class)
class AccuracyWindowTest {
    static final Path MNIST = Path.of("assets", "data", "mnist");

    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "accuracy");
        shell = app.shell();
        window = app.window();
        stage.setWidth(1440);
        stage.setHeight(900);
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        app.close(robot);
    }

    @Test
    void ggmlMnistMlpClassifiesTheTestDigitsAndShowsItsMistakesByCell(FxRobot robot) throws Exception {
        ModelDocument doc = openClassifier(robot, shell);
        assertEquals(List.of("tensorsPage", "overviewPage", "compressPage", "prunePage", "classifierTradeoffPage", "accuracyPage"),
                pageIds(robot).stream().filter(id -> !id.equals("distillPage")).toList(),
                "a classifier has no Generate page and its own Trade-off");
        WindowFixture.selectPage(robot, "accuracyPage");
        AccuracyViewModel vm = doc.accuracy();
        robot.interact(() -> vm.chooseImages(MNIST.resolve("t10k-images-idx3-ubyte.gz").toAbsolutePath()));
        assertEquals("t10k-labels-idx1-ubyte.gz", vm.labelsProperty().get().getFileName().toString(),
                "the labels beside the images are taken with them");
        assertEquals("t10k-images-idx3-ubyte.gz", doc.classifierData().testProperty().get().orElseThrow().images()
                .getFileName().toString(), "the other pages measure on the pair chosen here");

        robot.clickOn("#accuracyRunButton");
        AccuracyReport report = awaitDone(vm.job()::state, "the accuracy run");
        assertEquals(10_000, report.result().n());
        // ggml's MLP (784-500-10, trained on MNIST) gets about 98 % of the test digits.
        assertTrue(report.result().top1() > 0.96 && report.result().top1() < 0.995, "top-1 " + report.result().top1());
        assertTrue(report.result().top5() > report.result().top1() && report.result().top5() > 0.99, "top-5 " + report.result().top5());
        int[][] confusion = report.result().confusion();
        assertEquals(10, confusion.length);
        long total = 0, diagonal = 0;
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) total += confusion[t][p];
            diagonal += confusion[t][t];
        }
        assertEquals(10_000, total, "every digit is counted once");
        assertEquals(report.result().top1() * 10_000, diagonal, 0.5);
        assertEquals(10_000 - diagonal, report.result().misclassified().size(), "every mistake is kept for the grid");
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), report.names().names(), "digits are their own names");

        ConfusionMatrixView matrix = robot.lookup("#confusionMatrix").queryAs(ConfusionMatrixView.class);
        MisclassifiedGrid grid = robot.lookup("#misclassifiedGrid").queryAs(MisclassifiedGrid.class);
        assertTrue(matrix.isVisible() && grid.isVisible(), "the matrix and the grid show");
        assertEquals(10, matrix.confusion().length);
        assertEquals(Math.min(AccuracyViewModel.MAX_TILES, report.result().misclassified().size()), grid.tileCount());
        String top1 = robot.lookup("#top1Label").queryAs(Label.class).getText();
        assertTrue(top1.endsWith(" %") && top1.startsWith("9"), top1);
        Screenshots.save(robot, window.stage().getScene(), "accuracy-mnist");

        // The matrix paints itself: a theme switch redraws its labels in the new palette, and back.
        int[] light = pixels(robot, matrix);
        robot.interact(() -> ChartStyle.useDark(true));
        int[] dark = pixels(robot, matrix);
        robot.interact(() -> ChartStyle.useDark(false));
        assertFalse(java.util.Arrays.equals(light, dark), "the dark theme redraws the matrix");
        assertArrayEquals(light, pixels(robot, matrix), "and the light one draws it as before");

        // The digits the MLP confuses most: a click on that cell leaves only them in the grid.
        ConfusionCell worst = new ConfusionCell(0, 1);
        for (int t = 0; t < 10; t++) {
            for (int p = 0; p < 10; p++) {
                if (t != p && confusion[t][p] > confusion[worst.label()][worst.predicted()]) worst = new ConfusionCell(t, p);
            }
        }
        Point2D centre = matrix.localToScreen(matrix.centreOf(worst));
        robot.moveTo(centre).clickOn(centre);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(worst, vm.selectedCellProperty().get());
        int count = confusion[worst.label()][worst.predicted()];
        assertEquals(count, grid.tileCount(), "the grid shows that cell's images only");
        String hover = robot.lookup("#hoverLabel").queryAs(Label.class).getText();
        assertTrue(hover.startsWith(worst.label() + " taken for " + worst.predicted() + ": " + count + " images"), hover);
        String caption = robot.lookup("#gridCaption").queryAs(Label.class).getText();
        assertTrue(caption.startsWith(worst.label() + " taken for " + worst.predicted() + ": " + count), caption);
        ConfusionCell w = worst;
        assertTrue(vm.shownProperty().get().stream().allMatch(m -> m.label() == w.label() && m.predicted() == w.predicted()));
        Screenshots.save(robot, window.stage().getScene(), "accuracy-cell");

        robot.clickOn(centre);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(null, vm.selectedCellProperty().get(), "a second click shows every mistake again");
        assertEquals(Math.min(AccuracyViewModel.MAX_TILES, report.result().misclassified().size()), grid.tileCount());

        // Cancel stops a second run while it reads the files; the first run's figures stay, and the line says whose they are.
        robot.interact(() -> {
            vm.run();
            vm.cancel();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> onFx(robot, () -> !vm.job().runningProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Cancelled.class, vm.job().state());
        assertEquals(report, vm.reportProperty().get());
        assertEquals("Cancelled: the figures are the previous run's.", robot.lookup("#accuracyStatus").queryAs(Label.class).getText());
        assertTrue(matrix.isVisible(), "the matrix stays");
    }

    @Test
    void fashionMnistsGarmentsNameTheRowsAndColumns(FxRobot robot) throws Exception {
        ModelDocument doc = openClassifier(robot, shell);
        WindowFixture.selectPage(robot, "accuracyPage");
        AccuracyViewModel vm = doc.accuracy();
        // A digit classifier on garments: the figures mean little, the names are what this looks at.
        robot.interact(() -> vm.chooseImages(SharedFiles.file("data/fashion-mnist/t10k-images-idx3-ubyte.gz")));
        robot.clickOn("#accuracyRunButton");
        AccuracyReport report = awaitDone(vm.job()::state, "the accuracy run");
        assertEquals(10_000, report.result().n());
        assertEquals("Ankle boot", report.names().name(9));
        MisclassifiedGrid grid = robot.lookup("#misclassifiedGrid").queryAs(MisclassifiedGrid.class);
        assertEquals(AccuracyViewModel.MAX_TILES, grid.tileCount(), "a weak model: the grid holds the first of its mistakes");
        String caption = robot.lookup("#gridCaption").queryAs(Label.class).getText();
        assertTrue(caption.startsWith("All misclassified images: the first 200 of "), caption);
        Screenshots.save(robot, window.stage().getScene(), "accuracy-fashion");
    }

    @Test
    void aLlamaKeepsItsPagesAndGetsNoClassifierPage(FxRobot robot) throws Exception {
        robot.interact(() -> shell.open(Path.of("assets", "models", "stories260K.gguf")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        ModelDocument doc = shell.documents().getFirst();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !(onFx(robot, () -> doc.classifier().stateProperty().get()) instanceof Async.Running<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Failed.class, doc.classifier().stateProperty().get(), "stories260K is no classifier");
        assertFalse(doc.isClassifier());
        assertEquals(List.of("tensorsPage", "overviewPage", "compressPage", "prunePage", "tradeoffPage", "generatePage"),
                pageIds(robot));
    }

    /** Opens ggml's MNIST MLP and waits until its weights are read as a classifier. */
    static ModelDocument openClassifier(FxRobot robot, ShellViewModel shell) throws Exception {
        robot.interact(() -> shell.open(SharedFiles.file("models/ggml-mnist-mlp.state_dict")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        ModelDocument doc = shell.documents().getFirst();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !(onFx(robot, () -> doc.classifier().stateProperty().get()) instanceof Async.Running<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, doc.classifier().stateProperty().get(), () -> "not read as a classifier: " + doc.classifier().stateProperty().get());
        return doc;
    }

    static List<String> pageIds(FxRobot robot) {
        TabPane tabs = robot.lookup(".document-pages").queryAs(TabPane.class);
        return onFx(robot, () -> tabs.getTabs().stream().map(Tab::getId).toList());
    }

    static <T> T onFx(FxRobot robot, Supplier<T> read) {
        AtomicReference<T> value = new AtomicReference<>();
        robot.interact(() -> value.set(read.get()));
        return value.get();
    }

    static <T> T awaitDone(Supplier<Async<T>> state, String what) throws Exception {
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS,
                () -> !(state.get() instanceof Async.Running<T>) && !(state.get() instanceof Async.Idle<T>));
        WaitForAsyncUtils.waitForFxEvents();
        Async<T> s = state.get();
        assertInstanceOf(Async.Done.class, s, () -> what + " did not complete: " + s);
        return ((Async.Done<T>) s).value();
    }

    private static int[] pixels(FxRobot robot, javafx.scene.Node node) {
        java.util.concurrent.atomic.AtomicReference<int[]> out = new java.util.concurrent.atomic.AtomicReference<>();
        robot.interact(() -> {
            javafx.scene.image.WritableImage image = node.snapshot(null, null);
            int w = (int) image.getWidth(), h = (int) image.getHeight();
            int[] argb = new int[w * h];
            image.getPixelReader().getPixels(0, 0, w, h, javafx.scene.image.PixelFormat.getIntArgbInstance(), argb, 0, w);
            out.set(argb);
        });
        return out.get();
    }
}
