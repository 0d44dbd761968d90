package dev.quantscope.app.common;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.StackPane;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartCanvas;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.MouseHandlerFX;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;

import java.util.ArrayList;
import java.util.List;

/**
 * Chart viewers for charts that sit in a scrolling page. JFreeChart's viewer zooms on the mouse wheel, so the
 * wheel that scrolls the page also zoomed whatever chart passed under the pointer, and could leave it empty with
 * no visible way back. Here the wheel is left to the page; zoom is explicit (drag a rectangle, or the context
 * menu) and always undone by a double-click or the "Reset zoom" button that shows while the chart is zoomed.
 */
public final class ChartViewers {
    private ChartViewers() {}

    /** A viewer of {@code chart} whose wheel scrolls the page and whose zoom is explicit and resettable. */
    public static ChartViewer inScrollingPage(JFreeChart chart) {
        return new PageChartViewer(chart);
    }

    /** Puts every value axis of the chart back on its automatic range (undoes any zoom or pan). */
    public static void resetZoom(JFreeChart chart) {
        for (ValueAxis axis : valueAxes(chart)) axis.setAutoRange(true);
    }

    /** Whether an axis shows a range the user chose rather than the one fitted to the data. */
    public static boolean isZoomed(JFreeChart chart) {
        return valueAxes(chart).stream().anyMatch(a -> !a.isAutoRange());
    }

    private static List<ValueAxis> valueAxes(JFreeChart chart) {
        List<ValueAxis> axes = new ArrayList<>();
        switch (chart.getPlot()) {
            case XYPlot xy -> {
                for (int i = 0; i < xy.getDomainAxisCount(); i++) addIfPresent(axes, xy.getDomainAxis(i));
                for (int i = 0; i < xy.getRangeAxisCount(); i++) addIfPresent(axes, xy.getRangeAxis(i));
            }
            case CategoryPlot cat -> {
                for (int i = 0; i < cat.getRangeAxisCount(); i++) addIfPresent(axes, cat.getRangeAxis(i));
            }
            default -> { }
        }
        return axes;
    }

    private static void addIfPresent(List<ValueAxis> axes, ValueAxis axis) {
        if (axis != null) axes.add(axis);
    }

    /** The viewer with its reset button laid over the chart's top-right corner. */
    private static final class PageChartViewer extends ChartViewer {
        private final Button reset = new Button("Reset zoom");
        private final StackPane corner = new StackPane(reset);

        PageChartViewer(JFreeChart chart) {
            super(chart);
            ChartCanvas canvas = getCanvas();
            // The canvas's only scroll listener is JFreeChart's wheel zoom; without it the event reaches the page.
            canvas.setOnScroll(null);
            // Ctrl-drag panning is another way to lose the data with nothing on screen to say so.
            MouseHandlerFX pan = canvas.getMouseHandler("pan");
            if (pan != null) canvas.removeMouseHandler(pan);
            canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) resetZoom(getChart());
            });
            reset.getStyleClass().addAll("small", "chart-reset-zoom");
            reset.setFocusTraversable(false);
            reset.setOnAction(_ -> resetZoom(getChart()));
            corner.setAlignment(Pos.TOP_RIGHT);
            corner.setPadding(new Insets(6));
            corner.setPickOnBounds(false);
            corner.setManaged(false);
            corner.setId("resetZoomCorner");
            getChildren().add(corner);
            chart.addChangeListener(_ -> showReset());
            showReset();
        }

        private void showReset() {
            reset.setVisible(getChart() != null && isZoomed(getChart()));
        }

        @Override
        protected void layoutChildren() {
            super.layoutChildren();
            corner.resizeRelocate(0, 0, getWidth(), corner.prefHeight(getWidth()));
        }
    }
}
