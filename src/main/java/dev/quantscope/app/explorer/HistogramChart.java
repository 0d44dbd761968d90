package dev.quantscope.app.explorer;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.stats.Histogram;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

import java.awt.Font;

/**
 * The histogram chart. Log mode plots log₁₀(1 + count) on a linear axis instead of using a log axis, because
 * empty bins (count 0) have no place on a true log scale and would vanish rather than show as gaps.
 */
final class HistogramChart {
    private final XYIntervalSeriesCollection dataset = new XYIntervalSeriesCollection();
    private final JFreeChart chart;
    private final ChartViewer viewer;
    private final NumberAxis countAxis = new NumberAxis("count");
    private final TextTitle subtitle = new TextTitle("");

    HistogramChart() {
        NumberAxis valueAxis = new NumberAxis("value");
        valueAxis.setAutoRangeIncludesZero(false);
        XYBarRenderer bars = new XYBarRenderer();
        bars.setBarPainter(new StandardXYBarPainter());
        bars.setShadowVisible(false);
        bars.setDrawBarOutline(false);
        bars.setSeriesPaint(0, ChartStyle.ACCENT);
        bars.setMargin(0.06);
        XYPlot plot = new XYPlot(dataset, valueAxis, countAxis, bars);
        plot.setOrientation(PlotOrientation.VERTICAL);
        chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        subtitle.setFont(new Font("DejaVu Sans", Font.PLAIN, 11));
        subtitle.setPaint(ChartStyle.palette().muted());
        chart.addSubtitle(subtitle);
        ChartStyle.apply(chart);
        viewer = ChartViewers.inScrollingPage(chart);
        viewer.setId("histogramChart");
    }

    ChartViewer viewer() { return viewer; }

    void show(Histogram h, boolean logCounts) {
        XYIntervalSeries series = new XYIntervalSeries(logCounts ? "log10(1 + count)" : "count");
        for (int b = 0; b < h.bins(); b++) {
            double lo = h.binStart(b);
            double hi = b == h.bins() - 1 ? h.hi() : h.binStart(b + 1);
            double y = logCounts ? Math.log10(1 + h.count(b)) : h.count(b);
            series.add((lo + hi) / 2, lo, hi, y, 0, y);
        }
        dataset.removeAllSeries();
        dataset.addSeries(series);
        countAxis.setLabel(logCounts ? "log₁₀(1 + count)" : "count");
        subtitle.setText(h.bins() + " bins of width " + Numbers.stat(h.binWidth()) + "  ·  range ["
                + Numbers.stat(h.lo()) + ", " + Numbers.stat(h.hi()) + "]  ·  " + Numbers.grouped(h.total())
                + " finite values");
    }

    void clear() {
        dataset.removeAllSeries();
        subtitle.setText("");
    }
}
