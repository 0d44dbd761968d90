package dev.quantscope.app.overview;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.stats.ModelSummary;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
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

import java.awt.Font;
import java.util.Map;

/** Horizontal bar charts of a {@link ModelSummary}'s byte totals, labelled with size and parameter count. */
final class SummaryCharts {
    private SummaryCharts() {}

    static final class Bars {
        private final DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        private final ChartViewer viewer;
        private Map<String, ModelSummary.Totals> totals = Map.of();

        Bars(String categoryLabel, String id) {
            NumberAxis bytesAxis = new NumberAxis("MiB");
            bytesAxis.setUpperMargin(0.9); // room for the value labels right of the bars
            BarRenderer bars = new BarRenderer();
            bars.setBarPainter(new StandardBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            bars.setMaximumBarWidth(0.12);
            bars.setItemMargin(0);
            bars.setSeriesPaint(0, ChartStyle.ACCENT);
            bars.setDefaultItemLabelsVisible(true);
            bars.setDefaultItemLabelFont(new Font("DejaVu Sans Mono", Font.PLAIN, 11));
            bars.setDefaultItemLabelPaint(ChartStyle.palette().text());
            bars.setDefaultPositiveItemLabelPosition(
                    new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
            bars.setItemLabelAnchorOffset(6);
            bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator() {
                @Override
                public String generateLabel(CategoryDataset data, int row, int column) {
                    ModelSummary.Totals t = totals.get((String) data.getColumnKey(column));
                    return t == null ? "" : Numbers.bytes(t.bytes()) + " · " + Numbers.compactCount(t.parameters())
                            + " params";
                }
            });
            CategoryPlot plot = new CategoryPlot(dataset, new CategoryAxis(categoryLabel), bytesAxis, bars);
            plot.setOrientation(PlotOrientation.HORIZONTAL);
            plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
            ChartStyle.apply(chart);
            viewer = new ChartViewer(chart);
            viewer.setId(id);
            viewer.setMinHeight(180);
        }

        ChartViewer viewer() { return viewer; }

        void show(Map<String, ModelSummary.Totals> byName) {
            dataset.clear();
            // The tensor count rides in the category label so the bar label stays short enough to fit.
            Map<String, ModelSummary.Totals> labelled = new java.util.LinkedHashMap<>();
            byName.forEach((name, t) -> labelled.put(name + " (" + t.tensors() + ")", t));
            totals = Map.copyOf(labelled);
            labelled.forEach((name, t) -> dataset.addValue(t.bytes() / (1024.0 * 1024.0), "bytes", name));
        }

        DefaultCategoryDataset dataset() { return dataset; }
    }
}
