package dev.quantscope.app;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.common.LlamaCppSetting;
import dev.quantscope.app.compress.CompressViewModel;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.app.shell.MainWindow;
import dev.quantscope.app.shell.ShellViewModel;
import dev.quantscope.app.tradeoff.SchemeOption;
import dev.quantscope.app.tradeoff.TradeoffViewModel;
import dev.quantscope.eval.llamacpp.LlamaBench;
import dev.quantscope.eval.sweep.SweepCache;
import dev.quantscope.eval.sweep.SweepPoint;
import dev.quantscope.eval.sweep.SweepText;
import dev.quantscope.quant.preset.Preset;
import dev.quantscope.testing.SharedFiles;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The speed figures' labels on the Trade-off and Compress pages, and llama.cpp's figures beside ours, measured with
 * the real llama-bench of ../shared/tools/llama.cpp (those parts skip without it). Structure only: which engine a
 * figure is labelled with, that both are there, that a ratio is ours / theirs; never how fast.
 */
@ExtendWith(ApplicationExtension.class)
class LlamaCppWindowTest {
    private WindowFixture app;
    private ShellViewModel shell;
    private MainWindow window;

    @Start
    void start(Stage stage) {
        app = WindowFixture.open(stage, "llama-cpp");
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

    /** llama.cpp's tools kept in this test's own preferences node, as the page's "llama.cpp…" button keeps them. */
    private LlamaCppSetting llamaCpp() {
        Path tools = SharedFiles.root().resolve("tools/llama.cpp");
        Assumptions.assumeTrue(Files.isDirectory(tools), "no llama.cpp tools in " + tools);
        LlamaCppSetting setting = new LlamaCppSetting(app.prefs().node("llama-cpp"), Path.of("/nonexistent"));
        setting.choose(tools);
        return setting;
    }

    @Test
    void tradeoffLabelsItsSpeedsAndMeasuresAPointWithLlamaBench(FxRobot robot, @TempDir Path dir) throws Exception {
        System.setProperty(SweepCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        ModelDocument doc = openStories(robot);
        TradeoffViewModel vm = doc.tradeoff();
        WindowFixture.selectPage(robot, "tradeoffPage");
        String source = robot.lookup(".speed-source").queryAs(Label.class).getText();
        assertTrue(source.startsWith("Speeds in tokens/s. QuantScope: measured by QuantScope's engine on this machine."),
                source);
        assertTrue(source.contains("llama.cpp: measured by llama.cpp's llama-bench on this machine"), source);
        TableView<SweepPoint> table = robot.lookup("#pointsTable").queryAs(TableView.class);
        // each engine's speeds under a header that names it
        for (String engine : List.of("QuantScope", "llama.cpp")) {
            assertEquals(List.of("tg", "pp"), group(table, engine).getColumns().stream().map(TableColumn::getText).toList());
        }

        LlamaCppSetting setting = llamaCpp();
        Path text = dir.resolve("shakespeare-start.txt");
        try (InputStream in = Files.newInputStream(SharedFiles.file("data/text/tinyshakespeare.txt"))) {
            Files.write(text, in.readNBytes(8 * 1024 + 512));
        }
        robot.interact(() -> {
            vm.setLlamaCppSetting(setting);
            for (SchemeOption o : vm.presets()) o.selectedProperty().set(o.scheme().id().equals("Q6_K"));
            vm.textProperty().set(new SweepText.FromFile(text));
            vm.textKilobytesProperty().set(8);
            vm.ctxProperty().set(64);
        });
        assertEquals("llama.cpp: " + SharedFiles.root().resolve("tools/llama.cpp").toAbsolutePath().normalize(),
                robot.lookup(".llama-cpp-status").queryAs(Label.class).getText());
        robot.interact(vm::runSweep);
        WaitForAsyncUtils.waitFor(240, TimeUnit.SECONDS,
                () -> !vm.job().runningProperty().get() && !(vm.job().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, vm.job().state(), () -> "sweep: " + vm.job().state());
        SweepPoint.Measured q8 = assertInstanceOf(SweepPoint.Measured.class, vm.points().getFirst(),
                () -> vm.points().toString());
        robot.interact(() -> table.getSelectionModel().select(q8));

        robot.clickOn("#llamaCppButton");
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> !vm.llamaCppJob().runningProperty().get()
                && !(vm.llamaCppJob().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, vm.llamaCppJob().state(), () -> "llama.cpp: " + vm.llamaCppJob().state()
                + " / " + vm.llamaCppStatusProperty().get());
        LlamaBench.Result r = vm.llamaCppFigures().get(q8.schemeId());
        assertTrue(r.pp() > 0 && r.tg() > 0, r.toString());
        // the llama-bench run used the tokens and threads the sweep measured ours with
        assertTrue(String.join(" ", r.command()).contains(" -p " + q8.latency().promptTokens() + " -n "
                + q8.latency().generatedTokens() + " -t " + q8.latency().threads() + " "), r.command().toString());
        TableColumn<SweepPoint, String> tg = column(table, "llama.cpp", "tg"), pp = column(table, "llama.cpp", "pp");
        assertEquals(r.tg(), Double.parseDouble(tg.getCellData(q8)), Math.max(0.05, r.tg() * 0.005));
        assertEquals(r.pp(), Double.parseDouble(pp.getCellData(q8)), Math.max(0.05, r.pp() * 0.005));
        assertTrue(!column(table, "QuantScope", "tg").getCellData(q8).isBlank(), "ours stays beside it");
        String status = robot.lookup(".llama-cpp-status").queryAs(Label.class).getText();
        assertTrue(status.startsWith("Q6_K: tg ") && status.contains(LlamaCppSetting.THEIRS), status);
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("quantscope-llama-bench-")
                    && Files.exists(p.resolve("variant.gguf"))), "the exported variant is deleted");
        }
        Screenshots.save(robot, window.stage().getScene(), "tradeoff-llama-cpp");
    }

    @Test
    void compressMeasuresAnExportWithBothEnginesEachLabelled(FxRobot robot, @TempDir Path dir) throws Exception {
        ModelDocument doc = openStories(robot);
        CompressViewModel vm = doc.compress();
        WindowFixture.selectPage(robot, "compressPage");
        Path out = dir.resolve("stories-Q6_K.gguf");
        robot.interact(() -> {
            vm.presetProperty().set(Preset.Q6_K); // with llama-quantize's fallback for the rows of 172
            vm.exportTo(out);
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.export().state() instanceof Async.Done<?>);
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> window.stage().getScene().getWindow().requestFocus());
        closeDialogs(robot);
        assertTrue(robot.lookup("#speedBox").query().isVisible(), "offered once the export is written");

        LlamaCppSetting setting = llamaCpp();
        robot.interact(() -> vm.setLlamaCppSetting(setting));
        robot.clickOn("#measureSpeedButton");
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !vm.speed().runningProperty().get()
                && !(vm.speed().state() instanceof Async.Idle<?>));
        WaitForAsyncUtils.waitForFxEvents();
        assertInstanceOf(Async.Done.class, vm.speed().state(), () -> "speed: " + vm.speed().state());
        String ours = robot.lookup(".speed-ours").queryAs(Label.class).getText();
        String theirs = robot.lookup(".speed-llama-cpp").queryAs(Label.class).getText();
        assertTrue(ours.endsWith(", " + LlamaCppSetting.OURS) && ours.startsWith("QuantScope: pp "), ours);
        assertTrue(theirs.endsWith(", " + LlamaCppSetting.THEIRS) && theirs.startsWith("llama.cpp: pp "), theirs);
        double[] o = rates(ours), t = rates(theirs);
        String note = robot.lookup("#speedNote").queryAs(Label.class).getText();
        Matcher ratio = Pattern.compile("QuantScope / llama.cpp: pp ([\\d.]+), tg ([\\d.]+)\\.").matcher(note);
        assertTrue(ratio.find(), note);
        // the labels round to 0.1 tok/s and the ratio to 0.01: it is ours / theirs to that precision
        for (int phase = 0; phase < 2; phase++) {
            double shown = o[phase] / t[phase];
            double rounding = shown * (0.05 / o[phase] + 0.05 / t[phase]) + 0.005;
            assertEquals(shown, Double.parseDouble(ratio.group(phase + 1)), rounding * 1.01, note);
        }
        Screenshots.save(robot, window.stage().getScene(), "compress-speed-llama-cpp");
    }

    private static double[] rates(String label) {
        Matcher m = Pattern.compile("pp ([\\d.]+), tg ([\\d.]+) tok/s").matcher(label);
        assertTrue(m.find(), label);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    private static TableColumn<SweepPoint, ?> group(TableView<SweepPoint> table, String header) {
        return table.getColumns().stream().filter(x -> x.getText().equals(header)).findFirst().orElseThrow();
    }

    private static TableColumn<SweepPoint, String> column(TableView<SweepPoint> table, String group, String header) {
        @SuppressWarnings("unchecked")
        TableColumn<SweepPoint, String> c = (TableColumn<SweepPoint, String>) group(table, group).getColumns().stream()
                .filter(x -> x.getText().equals(header)).findFirst().orElseThrow();
        return c;
    }

    /** The "Export finished" note is a window of its own; closed so that the page is what the robot clicks on. */
    private static void closeDialogs(FxRobot robot) {
        robot.interact(() -> javafx.stage.Window.getWindows().stream()
                .filter(w -> w instanceof Stage s && s.getScene() != null && s.getScene().getRoot() instanceof javafx.scene.control.DialogPane)
                .map(w -> (Stage) w).toList().forEach(Stage::close));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private ModelDocument openStories(FxRobot robot) throws Exception {
        robot.interact(() -> shell.open(SharedFiles.file("models/stories260K.gguf")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shell.documents().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        return shell.documents().getFirst();
    }
}
