package dev.quantscope.app.prune;

import dev.quantscope.app.common.Numbers;
import dev.quantscope.prune.SparsityMask;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.Region;

/**
 * A sparsity mask as an image: kept weights dark, pruned ones light, a row of the tensor per image row. The wheel
 * zooms around the pointer, a drag pans, a double-click shows the whole tensor again; the row and column under the
 * pointer are reported. Like the explorer's heatmap it renders at its own pixel size (nearest cell, no smoothing);
 * where one pixel covers several weights it is shaded by the fraction kept. Weights are square, so the picture keeps the
 * tensor's proportions.
 */
public final class MaskView extends Region {
    private static final int KEPT = 0xFF1F2328, PRUNED = 0xFFE8ECF0;
    private static final double MAX_ZOOM = 256;
    /** Weights sampled per pixel and axis when a pixel covers many: bounds the work of one render. */
    private static final int SAMPLES = 4;

    private final ImageView image = new ImageView();
    private final ReadOnlyStringWrapper hover = new ReadOnlyStringWrapper("");
    private SparsityMask mask;
    /** The shape of the last mask shown, kept while none is: the zoom belongs to it. */
    private long shownRows = -1, shownCols = -1;
    /** Magnification over the whole tensor fitted in the view (1: all of it shows). */
    private double zoom = 1;
    /** The visible part, in weights: left column, top row, and how many of each (derived from the zoom). */
    private double x0, y0, visibleCols = 1, visibleRows = 1;
    private double dragX, dragY;
    /** Where the image sits: weights stay square, so a wide area shows a square tensor centred. */
    private double imageX, imageY, imageW = 1, imageH = 1;

    public MaskView() {
        getStyleClass().add("mask-view");
        image.setSmooth(false);
        getChildren().add(image);
        setMinSize(64, 64);
        setOnMouseMoved(this::onHover);
        setOnMouseExited(_ -> hover.set(""));
        setOnScroll(this::onScroll);
        setOnMousePressed(e -> {
            dragX = e.getX();
            dragY = e.getY();
        });
        setOnMouseDragged(this::onDrag);
        setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) resetZoom();
        });
    }

    /**
     * Shows {@code m}, or nothing while a result is on its way. The zoom and position stay when the next mask has the
     * shape of the last one shown, even with an empty moment between them: a recomputed preview, or the mask measured
     * on the pruned model replacing the preview, keeps the region the user is looking at.
     */
    public void show(SparsityMask m) {
        mask = m;
        if (m == null) {
            render();
            return;
        }
        boolean sameShape = m.rows() == shownRows && m.cols() == shownCols;
        shownRows = m.rows();
        shownCols = m.cols();
        if (!sameShape) resetZoom();
        else render();
    }

    /** The mask on screen, or null. */
    public SparsityMask mask() { return mask; }

    public void resetZoom() {
        x0 = 0;
        y0 = 0;
        zoom = 1;
        render();
    }

    /** How many times the whole tensor is magnified (1 when it all shows). */
    public double zoom() { return zoom; }

    private void onScroll(ScrollEvent e) {
        if (mask == null || e.getDeltaY() == 0) return;
        zoomBy(e.getDeltaY() > 0 ? 1.25 : 1 / 1.25, e.getX(), e.getY());
        e.consume();
    }

    /** Magnifies {@code factor} times (below 1 shrinks) around the point (x, y) of the view, which stays put. */
    public void zoomBy(double factor, double x, double y) {
        if (mask == null) return;
        double fx = clamp((x - imageX) / imageW, 0, 1), fy = clamp((y - imageY) / imageH, 0, 1);
        double cx = x0 + fx * visibleCols, cy = y0 + fy * visibleRows;
        zoom = clamp(zoom * factor, 1, MAX_ZOOM);
        fitVisible();
        x0 = cx - fx * visibleCols;
        y0 = cy - fy * visibleRows;
        render();
    }

    private void onDrag(MouseEvent e) {
        if (mask == null) return;
        x0 -= (e.getX() - dragX) / imageW * visibleCols;
        y0 -= (e.getY() - dragY) / imageH * visibleRows;
        dragX = e.getX();
        dragY = e.getY();
        keepInside();
        render();
    }

    private void keepInside() {
        x0 = clamp(x0, 0, mask.cols() - visibleCols);
        y0 = clamp(y0, 0, mask.rows() - visibleRows);
    }

    /**
     * The weights a zoomed view shows: as many as fit the whole area at this magnification, so zooming into a square
     * tensor in a wide view uses the width too, never more than the tensor has.
     */
    private void fitVisible() {
        double cell = cellSize();
        visibleCols = Math.min(mask.cols(), getWidth() / cell);
        visibleRows = Math.min(mask.rows(), getHeight() / cell);
    }

    /** Pixels per weight: the whole tensor fitted, times the zoom. */
    private double cellSize() {
        return zoom * Math.min(getWidth() / mask.cols(), getHeight() / mask.rows());
    }

    private static double clamp(double v, double lo, double hi) { return Math.max(lo, Math.min(hi, v)); }

    @Override
    protected void layoutChildren() {
        render();
    }

    private void render() {
        if (mask == null || getWidth() < 1 || getHeight() < 1) {
            image.setImage(null);
            return;
        }
        fitVisible();
        keepInside();
        double cell = cellSize();
        int w = (int) Math.max(1, Math.floor(visibleCols * cell)), h = (int) Math.max(1, Math.floor(visibleRows * cell));
        imageW = w;
        imageH = h;
        imageX = Math.floor((getWidth() - w) / 2);
        imageY = Math.floor((getHeight() - h) / 2);
        image.relocate(imageX, imageY);
        int[] px = new int[w * h];
        double colsPerPixel = visibleCols / w, rowsPerPixel = visibleRows / h;
        for (int y = 0; y < h; y++) {
            double r0 = y0 + y * rowsPerPixel;
            for (int x = 0; x < w; x++) {
                px[y * w + x] = colour(keptFraction(x0 + x * colsPerPixel, r0, colsPerPixel, rowsPerPixel));
            }
        }
        WritableImage img = new WritableImage(w, h);
        img.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), px, 0, w);
        image.setImage(img);
    }

    /** The kept share of the weights a pixel covers, sampled on a small grid when it covers many. */
    private double keptFraction(double c0, double r0, double cw, double rh) {
        int nc = (int) Math.max(1, Math.min(SAMPLES, Math.ceil(cw))), nr = (int) Math.max(1, Math.min(SAMPLES, Math.ceil(rh)));
        int kept = 0;
        for (int i = 0; i < nr; i++) {
            int r = (int) Math.min(mask.rows() - 1, r0 + (i + 0.5) * rh / nr);
            for (int j = 0; j < nc; j++) {
                int c = (int) Math.min(mask.cols() - 1, c0 + (j + 0.5) * cw / nc);
                if (mask.isKept(r, c)) kept++;
            }
        }
        return (double) kept / (nc * nr);
    }

    private static int colour(double kept) {
        if (kept >= 1) return KEPT;
        if (kept <= 0) return PRUNED;
        int r = mix(KEPT >> 16 & 0xFF, PRUNED >> 16 & 0xFF, kept);
        int g = mix(KEPT >> 8 & 0xFF, PRUNED >> 8 & 0xFF, kept);
        int b = mix(KEPT & 0xFF, PRUNED & 0xFF, kept);
        return 0xFF000000 | r << 16 | g << 8 | b;
    }

    private static int mix(int kept, int pruned, double share) { return (int) Math.round(pruned + (kept - pruned) * share); }

    private void onHover(MouseEvent e) {
        double fx = (e.getX() - imageX) / imageW, fy = (e.getY() - imageY) / imageH;
        if (mask == null || fx < 0 || fy < 0 || fx >= 1 || fy >= 1) {
            hover.set("");
            return;
        }
        int c = (int) Math.min(mask.cols() - 1, x0 + fx * visibleCols);
        int r = (int) Math.min(mask.rows() - 1, y0 + fy * visibleRows);
        hover.set("row " + Numbers.grouped(r) + ", column " + Numbers.grouped(c) + ": "
                + (mask.isKept(r, c) ? "kept" : "pruned") + "   ·   row " + Numbers.grouped(r) + " keeps "
                + Numbers.grouped(mask.keptInRow(r)) + " of " + Numbers.grouped(mask.cols()));
    }

    public ReadOnlyStringProperty hoverTextProperty() { return hover.getReadOnlyProperty(); }
}
