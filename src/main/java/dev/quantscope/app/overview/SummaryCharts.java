package dev.quantscope.app.overview;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.stats.ModelSummary;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.event.ChartProgressEvent;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.data.category.CategoryDataset;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

import javafx.application.Platform;
import javafx.scene.text.Text;

import java.awt.Font;
import java.util.LinkedHashMap;
import java.util.Map;

/** Horizontal bar charts of a {@link ModelSummary}'s byte totals, labelled with size and parameter count. */
final class SummaryCharts {
    private static final String LABEL_FONT = "DejaVu Sans Mono";
    private static final int LABEL_SIZE = 11;
    private static final int LABEL_OFFSET = 6;
    /** The axis always ends a little past the longest bar... */
    private static final double MIN_MARGIN = 0.05;
    /** ...and never more than three times the longest bar (a narrower chart clips the label instead). */
    private static final double MAX_MARGIN = 2.0;

    private SummaryCharts() {}

    static final class Bars {
        private final DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        private final ChartViewer viewer;
        private final NumberAxis bytesAxis = new NumberAxis("MiB");
        private Map<String, ModelSummary.Totals> totals = Map.of();

        Bars(String categoryLabel, String id) {
            bytesAxis.setUpperMargin(MIN_MARGIN);
            BarRenderer bars = new BarRenderer();
            bars.setBarPainter(new StandardBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            bars.setMaximumBarWidth(0.12);
            bars.setItemMargin(0);
            bars.setSeriesPaint(0, ChartStyle.ACCENT);
            bars.setDefaultItemLabelsVisible(true);
            bars.setDefaultItemLabelFont(new Font(LABEL_FONT, Font.PLAIN, LABEL_SIZE));
            bars.setDefaultItemLabelPaint(ChartStyle.palette().text());
            bars.setDefaultPositiveItemLabelPosition(
                    new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
            bars.setItemLabelAnchorOffset(LABEL_OFFSET);
            bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator() {
                @Override
                public String generateLabel(CategoryDataset data, int row, int column) {
                    return label((String) data.getColumnKey(column));
                }
            });
            CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis(categoryLabel), bytesAxis, bars);
            plot.setOrientation(PlotOrientation.HORIZONTAL);
            plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
            ChartStyle.apply(chart);
            viewer = ChartViewers.inScrollingPage(chart);
            viewer.setId(id);
            viewer.setMinHeight(180);
            // The room the labels need depends on the width the chart was drawn at: refit after each drawing (not
            // inside it; a changed margin draws the chart again, and the next check finds it fitting).
            chart.addProgressListener(e -> {
                if (e.getType() == ChartProgressEvent.DRAWING_FINISHED) Platform.runLater(this::fitLabels);
            });
        }

        ChartViewer viewer() { return viewer; }

        void show(Map<String, ModelSummary.Totals> byName) {
            dataset.clear();
            // The tensor count rides in the category label so the bar label stays short enough to fit.
            Map<String, ModelSummary.Totals> labelled = new LinkedHashMap<>();
            byName.forEach((name, t) -> labelled.put(name + " (" + t.tensors() + ")", t));
            totals = Map.copyOf(labelled);
            labelled.forEach((name, t) -> dataset.addValue(t.bytes() / (1024.0 * 1024.0), "bytes", name));
        }

        /**
         * The axis ends a little past the bar whose label reaches furthest right: a bar of value v with a label w
         * pixels wide fits in a data area D pixels wide when the axis reaches v·D/(D−w). D comes from the last
         * drawing and does not depend on the margin (the labels' axis is on the left), so one refit settles.
         */
        private void fitLabels() {
            var info = viewer.getRenderingInfo();
            double dataWidth = info == null ? 0 : info.getPlotInfo().getDataArea().getWidth();
            double longest = 0, needed = 0;
            for (int i = 0; i < dataset.getColumnCount(); i++) {
                Number v = dataset.getValue(0, i);
                if (v == null) continue;
                double room = dataWidth - labelWidth(label((String) dataset.getColumnKey(i)));
                longest = Math.max(longest, v.doubleValue());
                needed = Math.max(needed, room <= 0 ? Double.POSITIVE_INFINITY : v.doubleValue() * dataWidth / room);
            }
            if (longest <= 0) return;
            double margin = Math.clamp(needed / longest - 1, MIN_MARGIN, MAX_MARGIN);
            if (Math.abs(margin - bytesAxis.getUpperMargin()) > 0.01) bytesAxis.setUpperMargin(margin);
        }

        private String label(String category) {
            ModelSummary.Totals t = totals.get(category);
            return t == null ? "" : Numbers.bytes(t.bytes()) + " · " + Numbers.compactCount(t.parameters()) + " params";
        }

        private static double labelWidth(String label) {
            Text text = new Text(label);
            text.setFont(javafx.scene.text.Font.font(LABEL_FONT, LABEL_SIZE));
            return text.getLayoutBounds().getWidth() + LABEL_OFFSET + 8;
        }

        NumberAxis bytesAxis() { return bytesAxis; }

        DefaultCategoryDataset dataset() { return dataset; }
    }
}
