package dev.quantscope.app.prune.curves;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.eval.prune.SparsityCurve;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Sparsity against KL divergence or perplexity, both on linear axes (the dense model's KL divergence is 0, which a
 * log axis cannot show, and its curve would be all floor): one line per method through its unstructured sparsities from
 * the dense model at 0 %, and its N:M points as diamonds of the same colour, labelled "2:4", at their sparsity.
 */
final class SparsityCurveChart {
    private static final Font SMALL = new Font("DejaVu Sans", Font.PLAIN, 11);

    private final XYSeriesCollection data = new XYSeriesCollection();
    private final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    private final XYPlot plot;
    private final ChartViewer viewer;
    /** Item labels of the series drawn as N:M markers, by series index ("" for line series). */
    private final List<List<String>> labels = new ArrayList<>();

    SparsityCurveChart() {
        NumberAxis x = new NumberAxis("sparsity (% of every weight matrix pruned)");
        x.setAutoRangeIncludesZero(true);
        x.setUpperMargin(0.06);
        renderer.setDefaultItemLabelFont(SMALL);
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        renderer.setDefaultItemLabelGenerator((ds, series, item) ->
                series < labels.size() && item < labels.get(series).size() ? labels.get(series).get(item) : "");
        plot = new XYPlot(data, x, yAxis(CurveMetric.KLD), renderer);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        ChartStyle.apply(chart);
        // Room between legend entries, as on the Trade-off charts.
        chart.getLegend().setItemLabelPadding(new org.jfree.chart.ui.RectangleInsets(2, 6, 2, 22));
        viewer = ChartViewers.inScrollingPage(chart);
        viewer.setId("sparsityCurveChart");
    }

    private static ValueAxis yAxis(CurveMetric metric) {
        NumberAxis axis = new NumberAxis(metric.axisLabel());
        // KL divergence starts at the dense model's 0; perplexity at the dense model's own, far from 0.
        axis.setAutoRangeIncludesZero(metric == CurveMetric.KLD);
        axis.setUpperMargin(0.1);
        ChartStyle.axis(axis);
        return axis;
    }

    ChartViewer viewer() { return viewer; }

    XYSeriesCollection dataset() { return data; }

    /** Redraws from the curves so far; cheap enough to call for every point that arrives. */
    void show(List<SparsityCurve> curves, CurveMetric metric) {
        data.removeAllSeries();
        labels.clear();
        if (!plot.getRangeAxis().getLabel().equals(metric.axisLabel())) plot.setRangeAxis(yAxis(metric));
        for (int c = 0; c < curves.size(); c++) {
            SparsityCurve curve = curves.get(c);
            Color colour = ChartStyle.SERIES[c % ChartStyle.SERIES.length];
            XYSeries line = new XYSeries(curve.label(), false, true);
            for (SparsityCurve.Point p : curve.line()) line.add(100 * p.pattern().sparsity(), y(p, metric));
            int lineIndex = data.getSeriesCount();
            data.addSeries(line);
            labels.add(List.of());
            renderer.setSeriesPaint(lineIndex, colour);
            renderer.setSeriesLinesVisible(lineIndex, true);
            renderer.setSeriesShapesVisible(lineIndex, true);
            renderer.setSeriesShape(lineIndex, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            renderer.setSeriesStroke(lineIndex, new BasicStroke(2f));
            renderer.setSeriesVisibleInLegend(lineIndex, true);
            if (curve.nOfM().isEmpty()) continue;
            XYSeries groups = new XYSeries(curve.label() + " N:M", false, true);
            List<String> names = new ArrayList<>();
            for (SparsityCurve.Point p : curve.nOfM()) {
                groups.add(100 * p.pattern().sparsity(), y(p, metric));
                names.add(p.pattern().label());
            }
            int groupIndex = data.getSeriesCount();
            data.addSeries(groups);
            labels.add(names);
            renderer.setSeriesPaint(groupIndex, colour);
            renderer.setSeriesLinesVisible(groupIndex, false);
            renderer.setSeriesShapesVisible(groupIndex, true);
            renderer.setSeriesShape(groupIndex, ShapeUtils.createDiamond(6f));
            // One legend entry per method: its diamonds share its colour, and the note under the chart names them.
            renderer.setSeriesVisibleInLegend(groupIndex, false);
        }
    }

    private static double y(SparsityCurve.Point p, CurveMetric metric) {
        return metric.of(p.measured().accuracy());
    }
}
