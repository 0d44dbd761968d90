package dev.quantscope.app.accuracy;

import dev.quantscope.app.common.ChartStyle;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The confusion matrix as a heat map: a row per true class, a column per predicted class, each cell's count written
 * in it. Colours are normalised by row, so a rare class reads as clearly as a common one: a diagonal cell is blue by
 * the share of its class classified right, an off-diagonal cell red by its share of that class's mistakes (a good
 * classifier's mistakes are a percent of a row, and would be white as shares of the row; as shares of the mistakes
 * the confusion that dominates a class stands out). A click on a cell reports it; the selected cell is framed; the
 * cell under the pointer is described.
 */
public final class ConfusionMatrixView extends Region {
    private static final Color RIGHT = Color.rgb(0x09, 0x69, 0xDA), WRONG = Color.rgb(0xCF, 0x22, 0x2E);
    private static final String FONT = "DejaVu Sans";
    private static final double GAP = 8;

    private final Canvas canvas = new Canvas();
    private final ReadOnlyStringWrapper hover = new ReadOnlyStringWrapper("");
    private int[][] confusion = new int[0][0];
    private ClassNames names = new ClassNames(java.util.List.of());
    private ConfusionCell selected;
    private Consumer<ConfusionCell> onCellClicked = _ -> { };
    /** Layout of the last drawing: where the cells start and their size. */
    private double left, top, cell;
    /** Redraws in the new theme's text colours; held here because the palette holds it weakly. */
    private final javafx.beans.value.ChangeListener<ChartStyle.Palette> onThemeChange = (_, _, _) -> draw();

    public ConfusionMatrixView() {
        getStyleClass().add("confusion-matrix");
        getChildren().add(canvas);
        setMinSize(160, 160);
        setOnMouseMoved(e -> hover.set(cellAt(e.getX(), e.getY()).map(this::describe).orElse("")));
        setOnMouseExited(_ -> hover.set(""));
        setOnMouseClicked(this::onClick);
        ChartStyle.paletteProperty().addListener(new javafx.beans.value.WeakChangeListener<>(onThemeChange));
    }

    public void show(int[][] matrix, ClassNames classNames, ConfusionCell selectedCell) {
        confusion = matrix;
        names = classNames;
        selected = selectedCell;
        draw();
    }

    public void setOnCellClicked(Consumer<ConfusionCell> handler) {
        onCellClicked = handler;
    }

    /** What the pointer is over: "Shirt taken for T-shirt/top: 112 images (11.2 % of Shirt)". */
    public ReadOnlyStringProperty hoverTextProperty() { return hover.getReadOnlyProperty(); }

    /** The cell at a point of this view, if the point is on one. */
    public Optional<ConfusionCell> cellAt(double x, double y) {
        int n = confusion.length;
        if (n == 0 || cell <= 0) return Optional.empty();
        int col = (int) Math.floor((x - left) / cell), row = (int) Math.floor((y - top) / cell);
        return row >= 0 && row < n && col >= 0 && col < n ? Optional.of(new ConfusionCell(row, col)) : Optional.empty();
    }

    /** The centre of a cell in this view's coordinates (for tests that click one). */
    public javafx.geometry.Point2D centreOf(ConfusionCell c) {
        return new javafx.geometry.Point2D(left + (c.predicted() + 0.5) * cell, top + (c.label() + 0.5) * cell);
    }

    private void onClick(MouseEvent e) {
        if (e.getButton() != MouseButton.PRIMARY) return;
        cellAt(e.getX(), e.getY()).ifPresent(onCellClicked);
    }

    private String describe(ConfusionCell c) {
        int count = confusion[c.label()][c.predicted()];
        long row = rowSum(c.label());
        long mistakes = row - confusion[c.label()][c.label()];
        String share = row == 0 ? "" : String.format(Locale.ROOT, " (%.1f %% of %s", 100.0 * count / row, names.name(c.label()))
                + (c.label() == c.predicted() || mistakes == 0 ? ")"
                : String.format(Locale.ROOT, ", %.0f %% of its mistakes)", 100.0 * count / mistakes));
        String what = c.label() == c.predicted() ? names.name(c.label()) + " classified right"
                : names.name(c.label()) + " taken for " + names.name(c.predicted());
        return what + ": " + count + (count == 1 ? " image" : " images") + share;
    }

    private long rowSum(int row) {
        long s = 0;
        for (int v : confusion[row]) s += v;
        return s;
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        draw();
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        double w = canvas.getWidth(), h = canvas.getHeight();
        ChartStyle.Palette p = ChartStyle.palette();
        g.setFill(fx(p.paper()));
        g.fillRect(0, 0, w, h);
        int n = confusion.length;
        if (n == 0) return;
        Font labelFont = Font.font(FONT, 11);
        double rowLabels = 0, colLabels = 0;
        for (int i = 0; i < n; i++) {
            double width = textWidth(names.name(i), labelFont);
            rowLabels = Math.max(rowLabels, width);
            colLabels = Math.max(colLabels, width);
        }
        // Column names are written at 45°: they take less height than upright ones and stay readable.
        double titleSpace = 22;
        left = titleSpace + rowLabels + GAP;
        top = titleSpace + colLabels * Math.sqrt(0.5) + 10 + GAP;
        // The last column's name, at 45°, reaches right of the matrix by its width's horizontal part.
        double right = Math.max(GAP, textWidth(names.name(n - 1), labelFont) * Math.sqrt(0.5));
        cell = Math.floor(Math.max(0, Math.min((w - left - right) / n, (h - top - GAP) / n)));
        if (cell < 4) return;

        g.setFont(Font.font(FONT, FontWeight.BOLD, 12));
        g.setFill(fx(p.muted()));
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        g.fillText("predicted class", left + n * cell / 2, 0);
        g.save();
        g.translate(4, top + n * cell / 2);
        g.rotate(-90);
        g.fillText("true class", 0, 0);
        g.restore();

        g.setFont(labelFont);
        g.setFill(fx(p.text()));
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.RIGHT);
        for (int i = 0; i < n; i++) g.fillText(names.name(i), left - GAP, top + (i + 0.5) * cell);
        g.setTextAlign(TextAlignment.LEFT);
        for (int j = 0; j < n; j++) {
            g.save();
            g.translate(left + (j + 0.5) * cell, top - GAP);
            g.rotate(-45);
            g.fillText(names.name(j), 0, 0);
            g.restore();
        }

        Font countFont = Font.font(FONT, Math.max(8, Math.min(13, cell / 4)));
        g.setFont(countFont);
        g.setTextAlign(TextAlignment.CENTER);
        boolean countsFit = textWidth("9999", countFont) < cell - 2;
        for (int i = 0; i < n; i++) {
            long row = rowSum(i), mistakes = row - confusion[i][i];
            for (int j = 0; j < n; j++) {
                int count = confusion[i][j];
                double strength = i == j ? (row == 0 ? 0 : (double) count / row)
                        : mistakes == 0 ? 0 : (double) count / mistakes;
                Color base = i == j ? RIGHT : WRONG;
                g.setFill(fx(p.paper()).interpolate(base, strength));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                if (countsFit && count > 0) {
                    g.setFill(strength > 0.55 ? Color.WHITE : fx(p.text()));
                    g.fillText(Integer.toString(count), left + (j + 0.5) * cell, top + (i + 0.5) * cell);
                }
            }
        }
        g.setStroke(fx(p.grid()));
        g.setLineWidth(1);
        for (int k = 0; k <= n; k++) {
            g.strokeLine(left + k * cell + 0.5, top, left + k * cell + 0.5, top + n * cell);
            g.strokeLine(left, top + k * cell + 0.5, left + n * cell, top + k * cell + 0.5);
        }
        if (selected != null && selected.label() < n && selected.predicted() < n) {
            g.setStroke(fx(p.text()));
            g.setLineWidth(3);
            g.strokeRect(left + selected.predicted() * cell + 1.5, top + selected.label() * cell + 1.5, cell - 3, cell - 3);
        }
    }

    private static double textWidth(String s, Font font) {
        Text t = new Text(s);
        t.setFont(font);
        return t.getLayoutBounds().getWidth();
    }

    private static Color fx(java.awt.Color c) {
        return Color.rgb(c.getRed(), c.getGreen(), c.getBlue(), c.getAlpha() / 255.0);
    }

    /** Test hook: the matrix drawn. */
    public int[][] confusion() { return confusion; }
}
