package dev.quantscope.app.explorer;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.stats.ChannelRanges;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYDifferenceRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;

/**
 * Each row's min and max as two lines with the band between them filled: channels whose range sticks out are the
 * ones per-tensor quantization scales handle badly.
 */
final class ChannelRangeChart {
    private final XYSeriesCollection dataset = new XYSeriesCollection();
    private final ChartViewer viewer;

    ChannelRangeChart() {
        NumberAxis channelAxis = new NumberAxis("channel (row)");
        channelAxis.setAutoRangeIncludesZero(false);
        channelAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        NumberAxis valueAxis = new NumberAxis("value");
        XYDifferenceRenderer band = new XYDifferenceRenderer(ChartStyle.ACCENT_SOFT, ChartStyle.ACCENT_SOFT, false);
        band.setSeriesPaint(0, ChartStyle.DANGER);
        band.setSeriesPaint(1, ChartStyle.ACCENT);
        band.setSeriesStroke(0, new BasicStroke(1.2f));
        band.setSeriesStroke(1, new BasicStroke(1.2f));
        XYPlot plot = new XYPlot(dataset, channelAxis, valueAxis, band);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        ChartStyle.apply(chart);
        viewer = ChartViewers.inScrollingPage(chart);
        viewer.setId("channelChart");
    }

    ChartViewer viewer() { return viewer; }

    void show(ChannelRanges ranges) {
        float[] min = ranges.min();
        float[] max = ranges.max();
        XYSeries maxSeries = new XYSeries("max", false, true);
        XYSeries minSeries = new XYSeries("min", false, true);
        for (int c = 0; c < min.length; c++) {
            maxSeries.add(c, max[c], false);
            minSeries.add(c, min[c], false);
        }
        dataset.removeAllSeries();
        dataset.addSeries(maxSeries);
        dataset.addSeries(minSeries);
    }

    void clear() { dataset.removeAllSeries(); }
}
