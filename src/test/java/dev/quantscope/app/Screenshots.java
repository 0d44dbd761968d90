package dev.quantscope.app;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import org.testfx.api.FxRobot;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/** Writes snapshots of scenes to target/screenshots, so every view can be looked at after a test run. */
public final class Screenshots {
    static final Path DIR = Path.of("target", "screenshots");

    private Screenshots() {}

    public static Path save(FxRobot robot, Scene scene, String name) {
        AtomicReference<Image> image = new AtomicReference<>();
        robot.interact(() -> image.set(scene.snapshot(null)));
        return write(image.get(), name);
    }

    public static Path save(FxRobot robot, Node node, String name) {
        AtomicReference<Image> image = new AtomicReference<>();
        robot.interact(() -> image.set(node.snapshot(null, null)));
        return write(image.get(), name);
    }

    private static Path write(Image img, String name) {
        int w = (int) img.getWidth(), h = (int) img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        PixelReader px = img.getPixelReader();
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out.setRGB(x, y, px.getArgb(x, y));
        try {
            Files.createDirectories(DIR);
            Path file = DIR.resolve(name + ".png");
            ImageIO.write(out, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
