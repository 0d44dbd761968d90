package dev.quantscope.app.tradeoff.classifier;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.app.tradeoff.SpreadLabelRenderer;
import dev.quantscope.tensor.Units;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Size against top-1 accuracy for a classifier: the file size on a log axis (variants span 1 to 32 bits a weight),
 * accuracy on a linear one, every point labelled. The original, the quantized and the pruned variants are a series
 * each; every exported student is its own series, so the legend names it beside the variants it competes with.
 */
final class ClassifierTradeoffChart {
    private static final Font SMALL = new Font("DejaVu Sans", Font.PLAIN, 11);
    private static final Map<TradeoffEntry.Kind, Color> COLOURS = Map.of(
            TradeoffEntry.Kind.ORIGINAL, ChartStyle.DANGER, TradeoffEntry.Kind.QUANTIZED, ChartStyle.ACCENT,
            TradeoffEntry.Kind.PRUNED, ChartStyle.SERIES[1]);
    /** Students take the colours the variants leave free. */
    private static final Color[] STUDENTS = {ChartStyle.SUCCESS, ChartStyle.SERIES[3], ChartStyle.SERIES[5], ChartStyle.SERIES[6]};

    private final XYSeriesCollection data = new XYSeriesCollection();
    /** Labels placed where they cover no other: the schemes that keep a layer F32 sit on the original's point. */
    private final SpreadLabelRenderer renderer = new SpreadLabelRenderer();
    private final LogAxis sizeAxis = new LogAxis("size (log)");
    private final NumberAxis accuracyAxis = new NumberAxis("top-1 accuracy (%)");
    /** Each series' point labels, by series index and item. */
    private final List<List<String>> labels = new ArrayList<>();
    private final ChartViewer viewer;

    ClassifierTradeoffChart() {
        sizeAxis.setNumberFormatOverride(new ByteFormat());
        sizeAxis.setUpperMargin(0.12);
        sizeAxis.setLowerMargin(0.12);
        accuracyAxis.setAutoRangeIncludesZero(false);
        accuracyAxis.setNumberFormatOverride(new DecimalFormat("0.#"));
        accuracyAxis.setUpperMargin(0.12);
        renderer.setDefaultLinesVisible(false);
        renderer.setDefaultShapesVisible(true);
        renderer.setDefaultItemLabelFont(SMALL);
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        renderer.setDefaultItemLabelGenerator((ds, series, item) ->
                series < labels.size() && item < labels.get(series).size() ? labels.get(series).get(item) : "");
        XYPlot plot = new XYPlot(data, sizeAxis, accuracyAxis, renderer);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        ChartStyle.apply(chart);
        // Room between legend entries: a marker would otherwise touch the previous entry's text.
        chart.getLegend().setItemLabelPadding(new org.jfree.chart.ui.RectangleInsets(2, 4, 2, 18));
        viewer = ChartViewers.inScrollingPage(chart);
        viewer.setId("classifierTradeoffChart");
    }

    ChartViewer viewer() { return viewer; }

    XYSeriesCollection dataset() { return data; }

    void show(List<TradeoffEntry> entries) {
        data.removeAllSeries();
        labels.clear();
        Map<String, List<TradeoffEntry>> groups = new LinkedHashMap<>();
        for (TradeoffEntry.Kind kind : List.of(TradeoffEntry.Kind.ORIGINAL, TradeoffEntry.Kind.QUANTIZED, TradeoffEntry.Kind.PRUNED)) {
            List<TradeoffEntry> of = entries.stream().filter(e -> e.kind() == kind).toList();
            if (!of.isEmpty()) groups.put(kind.text(), of);
        }
        entries.stream().filter(e -> e.kind() == TradeoffEntry.Kind.STUDENT)
                .forEach(e -> groups.computeIfAbsent("student: " + e.label(), _ -> new ArrayList<>()).add(e));
        int students = 0;
        for (Map.Entry<String, List<TradeoffEntry>> g : groups.entrySet()) {
            XYSeries s = new XYSeries(g.getKey(), false, true);
            List<String> names = new ArrayList<>();
            for (TradeoffEntry e : g.getValue()) {
                s.add(e.bytes(), 100 * e.top1());
                names.add(e.label());
            }
            int index = data.getSeriesCount();
            data.addSeries(s);
            labels.add(names);
            TradeoffEntry.Kind kind = g.getValue().getFirst().kind();
            Color colour = kind == TradeoffEntry.Kind.STUDENT ? STUDENTS[students++ % STUDENTS.length] : COLOURS.get(kind);
            renderer.setSeriesPaint(index, colour);
            renderer.setSeriesShape(index, shape(kind));
        }
    }

    private static Shape shape(TradeoffEntry.Kind kind) {
        return switch (kind) {
            case ORIGINAL -> ShapeUtils.createDiamond(6.5f);
            case QUANTIZED -> new Ellipse2D.Double(-4.5, -4.5, 9, 9);
            case PRUNED -> ShapeUtils.createUpTriangle(5.5f);
            case STUDENT -> new java.awt.Rectangle(-5, -5, 10, 10);
        };
    }

    /** Byte sizes as the rest of the app writes them ("412 KiB", "1.52 MiB"), for the log axis's ticks. */
    static final class ByteFormat extends NumberFormat {
        @Override
        public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            return to.append(Units.bytes(Math.round(v)));
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
            return to.append(Units.bytes(v));
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("tick labels are never parsed");
        }
    }
}
