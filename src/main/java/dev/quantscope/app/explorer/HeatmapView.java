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
 * Paints a {@link Heatmap} stretched over its whole area (one image pixel per cell, no smoothing, so cells stay
 * crisp) and reports the row, column and value under the mouse.
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

    void show(Heatmap h) {
        heatmap = h;
        WritableImage img = new WritableImage(h.width(), h.height());
        int[] argb = new int[h.width() * h.height()];
        for (int i = 0; i < argb.length; i++) argb[i] = DivergingColorMap.argb(h.values()[i], h.scale());
        img.getPixelWriter().setPixels(0, 0, h.width(), h.height(), PixelFormat.getIntArgbInstance(), argb, 0,
                h.width());
        image.setImage(img);
        requestLayout();
    }

    void clear() {
        heatmap = null;
        image.setImage(null);
        hover.set("");
    }

    @Override
    protected void layoutChildren() {
        image.relocate(snappedLeftInset(), snappedTopInset());
        image.setFitWidth(Math.max(1, getWidth() - snappedLeftInset() - snappedRightInset()));
        image.setFitHeight(Math.max(1, getHeight() - snappedTopInset() - snappedBottomInset()));
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
