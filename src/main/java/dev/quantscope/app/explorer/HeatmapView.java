package dev.quantscope.app.explorer;

import dev.quantscope.app.common.Numbers;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;

/**
 * Paints a {@link Heatmap} stretched over its whole area and reports the row, column and value under the mouse.
 * The image is rendered at the view's own pixel size with nearest-neighbour cells, because letting ImageView
 * scale a 64×64 image up blurs neighbouring weights into each other.
 */
final class HeatmapView extends Region {
    private final ImageView image = new ImageView();
    private final ReadOnlyStringWrapper hover = new ReadOnlyStringWrapper("");
    private Heatmap heatmap;

    HeatmapView() {
        getStyleClass().add("heatmap");
        image.setSmooth(false);
        image.setPreserveRatio(false);
        getChildren().add(image);
        setOnMouseMoved(this::onHover);
        setOnMouseExited(_ -> hover.set(""));
        setMinSize(64, 64);
    }

    private int[] cellColours = new int[0];
    private int renderedWidth = -1, renderedHeight = -1;

    void show(Heatmap h) {
        heatmap = h;
        cellColours = new int[h.width() * h.height()];
        for (int i = 0; i < cellColours.length; i++) cellColours[i] = DivergingColorMap.argb(h.values()[i], h.scale());
        renderedWidth = -1;
        requestLayout();
    }

    private void render(int w, int ht) {
        Heatmap h = heatmap;
        if (h == null || w < 1 || ht < 1 || (w == renderedWidth && ht == renderedHeight)) return;
        renderedWidth = w;
        renderedHeight = ht;
        int[] px = new int[w * ht];
        int[] cellX = new int[w];
        for (int x = 0; x < w; x++) cellX[x] = (int) ((long) x * h.width() / w);
        for (int y = 0; y < ht; y++) {
            int row = (int) ((long) y * h.height() / ht) * h.width();
            for (int x = 0; x < w; x++) px[y * w + x] = cellColours[row + cellX[x]];
        }
        WritableImage img = new WritableImage(w, ht);
        img.getPixelWriter().setPixels(0, 0, w, ht, PixelFormat.getIntArgbInstance(), px, 0, w);
        image.setImage(img);
    }

    void clear() {
        heatmap = null;
        cellColours = new int[0];
        image.setImage(null);
        hover.set("");
    }

    @Override
    protected void layoutChildren() {
        image.relocate(snappedLeftInset(), snappedTopInset());
        int w = (int) Math.max(1, Math.floor(getWidth() - snappedLeftInset() - snappedRightInset()));
        int h = (int) Math.max(1, Math.floor(getHeight() - snappedTopInset() - snappedBottomInset()));
        image.setFitWidth(w);
        image.setFitHeight(h);
        render(w, h);
    }

    private void onHover(MouseEvent e) {
        Heatmap h = heatmap;
        double w = image.getFitWidth(), ht = image.getFitHeight();
        double x = e.getX() - snappedLeftInset(), y = e.getY() - snappedTopInset();
        if (h == null || x < 0 || y < 0 || x >= w || y >= ht) {
            hover.set("");
            return;
        }
        int cx = (int) Math.min(h.width() - 1, x * h.width() / w);
        int cy = (int) Math.min(h.height() - 1, y * h.height() / ht);
        hover.set(describe(h, cy, cx));
    }

    static String describe(Heatmap h, int y, int x) {
        float v = h.value(y, x);
        if (!Float.isFinite(v)) return "row " + Numbers.grouped(h.sourceRow(y)) + ": no finite value here";
        return "row " + Numbers.grouped(h.sourceRow(y)) + ", column " + Numbers.grouped(h.sourceColumn(y, x))
                + "   value " + Numbers.stat(v);
    }

    ReadOnlyStringProperty hoverTextProperty() { return hover.getReadOnlyProperty(); }
}
