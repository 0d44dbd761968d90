package dev.quantscope.app.accuracy;

import dev.quantscope.engine.classifier.InputShape;
import dev.quantscope.engine.classifier.LabeledImages;
import dev.quantscope.engine.classifier.Misclassified;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.TilePane;
import javafx.scene.layout.VBox;

import java.util.List;
import java.util.Locale;

/**
 * Misclassified images as a grid of tiles: each image as the data set holds it (the first channel's pixel bytes,
 * magnified without smoothing, so the pixels the classifier saw are the ones shown) over "true → predicted (p)", p
 * being the softmax probability of the wrong prediction.
 */
public final class MisclassifiedGrid extends ScrollPane {
    static final int MAGNIFY = 3;
    private final TilePane tiles = new TilePane(8, 8);

    public MisclassifiedGrid() {
        getStyleClass().add("misclassified-grid");
        tiles.getStyleClass().add("misclassified-tiles");
        tiles.setPrefTileWidth(28 * MAGNIFY + 28);
        tiles.setTileAlignment(Pos.TOP_CENTER);
        setContent(tiles);
        setFitToWidth(true);
    }

    public void show(LabeledImages data, ClassNames names, List<Misclassified> examples) {
        tiles.getChildren().setAll(examples.stream().map(m -> tile(data, names, m)).toList());
        setVvalue(0);
    }

    private static VBox tile(LabeledImages data, ClassNames names, Misclassified m) {
        ImageView view = new ImageView(image(data, m.index()));
        view.setSmooth(false);
        view.setFitWidth(data.shape().width() * MAGNIFY);
        view.setFitHeight(data.shape().height() * MAGNIFY);
        Label caption = new Label(names.name(m.label()) + " → " + names.name(m.predicted())
                + String.format(Locale.ROOT, " (%.2f)", m.confidence()));
        caption.getStyleClass().add("misclassified-caption");
        caption.setWrapText(true);
        caption.setMaxWidth(28 * MAGNIFY + 24);
        VBox tile = new VBox(3, view, caption);
        tile.setAlignment(Pos.TOP_CENTER);
        tile.getStyleClass().add("misclassified-tile");
        Tooltip.install(tile, new Tooltip("Image " + m.index() + " of the data set: a " + names.name(m.label())
                + ", predicted " + names.name(m.predicted()) + String.format(Locale.ROOT, " with p = %.3f", m.confidence())));
        return tile;
    }

    /** The example's first channel, grey as stored (IDX: 0 background, 255 ink). */
    static WritableImage image(LabeledImages data, int index) {
        InputShape s = data.shape();
        int w = s.width(), h = s.height();
        WritableImage img = new WritableImage(w, h);
        PixelWriter px = img.getPixelWriter();
        int base = index * s.features();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = data.pixels()[base + y * w + x] & 0xFF;
                px.setArgb(x, y, 0xFF000000 | v << 16 | v << 8 | v);
            }
        }
        return img;
    }

    /** Test hook: how many tiles show. */
    public int tileCount() { return tiles.getChildren().size(); }
}
