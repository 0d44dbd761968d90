package dev.quantscope.app.tradeoff;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.eval.prune.CompressionKind;
import dev.quantscope.eval.sweep.SweepPoint;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * One trade-off scatter of a sweep: a cost on x (size or speed) against mean KL divergence on a log y axis (lower
 * is closer to the original), every measured point labelled, the Pareto front as a dashed line and the current
 * choice ringed. Series: 0 points, 1 front, 2 current choice; when the sweep used an importance matrix also
 * 3 the points quantized with it (their own colour and marker) and 4 a line from each scheme's plain point to its
 * imatrix point, so the drop in KL divergence reads at a glance. When the sweep pruned, 5 the pruned points and 6
 * the pruned-then-quantized ones follow (3 and 4 then stay, empty without an importance matrix), so original,
 * quantized, pruned and both read apart in one chart.
 */
final class TradeoffChart {
    /** KL divergences at or below this (a lossless scheme) are drawn on the floor of the log axis. */
    static final double KLD_FLOOR = 1e-7;
    private static final Font SMALL = new Font("DejaVu Sans", Font.PLAIN, 11);

    private final ToDoubleFunction<SweepPoint.Measured> x;
    private final NumberAxis xAxis;
    private final LogAxis yAxis;
    private final Function<List<SweepPoint>, List<SweepPoint.Measured>> front;
    private final XYSeriesCollection data = new XYSeriesCollection();
    private final ChartViewer viewer;
    private final TextTitle note = new TextTitle("");
    /** Why this chart draws no front, above the plot where it is read first; hidden when there is no reason. */
    private final TextTitle caveat = new TextTitle("");
    private final Function<List<SweepPoint>, String> caveatOf;
    private final SpreadLabelRenderer renderer;
    private final List<String> labels = new ArrayList<>();
    private final List<String> imatrixLabels = new ArrayList<>();
    private final List<String> prunedLabels = new ArrayList<>();
    private final List<String> prunedQuantizedLabels = new ArrayList<>();
    /** Colours of pruned points, and of pruned points quantized after (amber and teal: apart from the others). */
    static final java.awt.Color PRUNED = ChartStyle.SERIES[1], PRUNED_QUANTIZED = ChartStyle.SERIES[5];
    /** Colour of the points quantized with an importance matrix (violet: apart from the accent, green and red). */
    static final java.awt.Color IMATRIX = ChartStyle.SERIES[3];
    private String currentLabel = "";

    /**
     * @param x     the point's x value
     * @param front   the Pareto front of a list of points for this pair of axes
     * @param caveat  a sentence saying why the points' x values cannot be ranked (then the front is empty), or ""
     */
    TradeoffChart(String id, String xLabel, ToDoubleFunction<SweepPoint.Measured> x,
                  Function<List<SweepPoint>, List<SweepPoint.Measured>> front,
                  Function<List<SweepPoint>, String> caveat) {
        this.x = x;
        this.front = front;
        this.caveatOf = caveat;
        SpreadLabelRenderer r = new SpreadLabelRenderer();
        this.renderer = r;
        r.setSeriesLinesVisible(0, false);
        r.setSeriesShapesVisible(0, true);
        r.setSeriesShape(0, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
        r.setSeriesPaint(0, ChartStyle.ACCENT);
        r.setSeriesLinesVisible(1, true);
        r.setSeriesShapesVisible(1, false);
        r.setSeriesPaint(1, ChartStyle.SUCCESS);
        r.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                new float[] {5f, 4f}, 0f));
        r.setSeriesLinesVisible(2, false);
        r.setSeriesShapesVisible(2, true);
        r.setSeriesShapesFilled(2, false);
        r.setUseOutlinePaint(false);
        r.setSeriesShape(2, new Ellipse2D.Double(-9, -9, 18, 18));
        r.setSeriesStroke(2, new BasicStroke(2.5f));
        r.setSeriesPaint(2, ChartStyle.DANGER);
        r.setSeriesLinesVisible(3, false);
        r.setSeriesShapesVisible(3, true);
        r.setSeriesShape(3, ShapeUtils.createDiamond(5.5f));
        r.setSeriesPaint(3, IMATRIX);
        r.setSeriesItemLabelsVisible(3, true);
        r.setSeriesLinesVisible(4, true);
        r.setSeriesShapesVisible(4, false);
        r.setSeriesPaint(4, new java.awt.Color(IMATRIX.getRed(), IMATRIX.getGreen(), IMATRIX.getBlue(), 0x90));
        r.setSeriesStroke(4, new BasicStroke(1.2f));
        r.setSeriesVisibleInLegend(4, false);
        r.setSeriesLinesVisible(5, false);
        r.setSeriesShapesVisible(5, true);
        r.setSeriesShape(5, ShapeUtils.createUpTriangle(5.5f));
        r.setSeriesPaint(5, PRUNED);
        r.setSeriesItemLabelsVisible(5, true);
        r.setSeriesLinesVisible(6, false);
        r.setSeriesShapesVisible(6, true);
        r.setSeriesShape(6, ShapeUtils.createDownTriangle(5.5f));
        r.setSeriesPaint(6, PRUNED_QUANTIZED);
        r.setSeriesItemLabelsVisible(6, true);
        r.setDefaultItemLabelFont(SMALL);
        r.setDefaultItemLabelPaint(ChartStyle.palette().text());
        r.setSeriesItemLabelsVisible(0, true);
        r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        r.setDefaultItemLabelGenerator((ds, series, item) -> series == 0 && item < labels.size() ? labels.get(item)
                : series == 3 && item < imatrixLabels.size() ? imatrixLabels.get(item)
                : series == 5 && item < prunedLabels.size() ? prunedLabels.get(item)
                : series == 6 && item < prunedQuantizedLabels.size() ? prunedQuantizedLabels.get(item) : "");
        NumberAxis xAxis = new NumberAxis(xLabel);
        xAxis.setAutoRangeIncludesZero(false);
        xAxis.setLowerMargin(0.08);
        xAxis.setUpperMargin(0.08);
        this.xAxis = xAxis;
        LogAxis yAxis = new LogAxis("mean KL divergence (log, lower is better)");
        this.yAxis = yAxis;
        yAxis.setSmallestValue(KLD_FLOOR);
        // Plain values ("0.045", "1.20e-4"), not powers: a sweep often spans less than a decade, where the log
        // axis would label its ticks 10^-1.34, 10^-1.35, ...
        yAxis.setNumberFormatOverride(new KldFormat());
        yAxis.setUpperMargin(0.15);
        yAxis.setLowerMargin(0.1);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, r);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        note.setFont(SMALL);
        note.setPaint(ChartStyle.palette().muted());
        chart.addSubtitle(note);
        this.caveat.setFont(SMALL.deriveFont(Font.BOLD, 12f));
        this.caveat.setPosition(org.jfree.chart.ui.RectangleEdge.TOP);
        this.caveat.setPadding(new RectangleInsets(6, 8, 2, 8));
        this.caveat.setVisible(false);
        chart.addSubtitle(this.caveat);
        ChartStyle.apply(chart);
        // Room between legend entries: the front's legend line would otherwise touch the previous entry's text.
        chart.getLegend().setItemLabelPadding(new RectangleInsets(2, 6, 2, 26));
        r.setLegendLine(new Line2D.Double(-7, 0, 7, 0));
        viewer = dev.quantscope.app.common.ChartViewers.inScrollingPage(chart);
        viewer.setId(id);
    }

    ChartViewer viewer() { return viewer; }

    /** The sentence shown above the plot when the points cannot be ranked on x, or "". */
    String caveat() { return caveat.isVisible() ? caveat.getText() : ""; }

    XYSeriesCollection dataset() { return data; }

    /** Redraws from the points so far; cheap enough to call for every point that arrives. */
    void show(List<SweepPoint> points, SweepPoint.Measured current, Function<SweepPoint, CompressionKind> kind) {
        data.removeAllSeries();
        labels.clear();
        imatrixLabels.clear();
        prunedLabels.clear();
        prunedQuantizedLabels.clear();
        boolean anyImatrix = points.stream().anyMatch(p -> p instanceof SweepPoint.Measured m && m.imatrix());
        boolean anyPruned = points.stream().anyMatch(p -> p instanceof SweepPoint.Measured
                && kind.apply(p) != CompressionKind.ORIGINAL && kind.apply(p) != CompressionKind.QUANTIZED);
        XYSeries all = new XYSeries(anyImatrix ? "without imatrix" : anyPruned ? "original and quantized"
                : "measured schemes", false, true);
        XYSeries pruned = new XYSeries(CompressionKind.PRUNED.label(), false, true);
        XYSeries prunedQuantized = new XYSeries(CompressionKind.PRUNED_QUANTIZED.label(), false, true);
        XYSeries weighted = new XYSeries("with imatrix", false, true);
        XYSeries effect = new XYSeries("imatrix effect", false, true);
        Map<String, SweepPoint.Measured> plain = new HashMap<>();
        List<Double> changes = new ArrayList<>();
        for (SweepPoint p : points) {
            if (!(p instanceof SweepPoint.Measured m)) continue;
            if (m.imatrix()) {
                weighted.add(x.applyAsDouble(m), y(m));
                imatrixLabels.add(m.schemeId());
                String base = m.schemeId().substring(0, m.schemeId().length() - SweepPoint.IMATRIX_SUFFIX.length());
                SweepPoint.Measured without = plain.get(base);
                if (without != null) {
                    effect.add(x.applyAsDouble(without), y(without));
                    effect.add(x.applyAsDouble(m), y(m));
                    effect.add(x.applyAsDouble(m), null); // a gap: each pair is its own segment
                    if (without.accuracy().kldMean() > 0) {
                        changes.add(m.accuracy().kldMean() / without.accuracy().kldMean() - 1);
                    }
                }
            } else {
                plain.put(m.schemeId(), m);
                switch (kind.apply(m)) {
                    // Pruned points by their label ("wanda 2:4 + Q4_K_M"): their ids carry a "prune:" prefix.
                    case PRUNED -> {
                        pruned.add(x.applyAsDouble(m), y(m));
                        prunedLabels.add(m.label());
                    }
                    case PRUNED_QUANTIZED -> {
                        prunedQuantized.add(x.applyAsDouble(m), y(m));
                        prunedQuantizedLabels.add(m.label());
                    }
                    case ORIGINAL -> {
                        all.add(x.applyAsDouble(m), y(m));
                        labels.add(CompressionKind.ORIGINAL.label()); // what "keep" means beside pruned points
                    }
                    case QUANTIZED -> {
                        all.add(x.applyAsDouble(m), y(m));
                        labels.add(m.schemeId()); // short ids: "int4-asym-g32-mse", not the long description
                    }
                }
            }
        }
        XYSeries best = new XYSeries("Pareto front", false, true);
        front.apply(points).stream().sorted(Comparator.comparingDouble(x))
                .forEach(m -> best.add(x.applyAsDouble(m), y(m)));
        XYSeries chosen = new XYSeries("current choice", false, true);
        currentLabel = current == null ? "" : current.label();
        if (current != null) chosen.add(x.applyAsDouble(current), y(current));
        data.addSeries(all);
        data.addSeries(best);
        data.addSeries(chosen);
        if (anyImatrix || anyPruned) {
            // Series keep their indices (and so their look): without a matrix these two stay empty and unlisted.
            data.addSeries(weighted);
            data.addSeries(effect);
            renderer.setSeriesVisibleInLegend(3, anyImatrix);
        }
        if (anyPruned) {
            data.addSeries(pruned);
            data.addSeries(prunedQuantized);
            renderer.setSeriesVisibleInLegend(5, pruned.getItemCount() > 0);
            renderer.setSeriesVisibleInLegend(6, prunedQuantized.getItemCount() > 0);
        }
        int measured = all.getItemCount() + weighted.getItemCount() + pruned.getItemCount()
                + prunedQuantized.getItemCount();
        String reason = caveatOf.apply(points);
        this.caveat.setText(reason);
        this.caveat.setVisible(!reason.isEmpty());
        renderer.setSeriesVisibleInLegend(1, reason.isEmpty()); // no front drawn: none in the legend either
        // Points of (nearly) one x, e.g. one scheme with and without imatrix on the size chart: without a minimum
        // the axis zooms into rounding noise and prints the same label at every tick.
        double maxX = 0;
        for (XYSeries series : List.of(all, weighted, pruned, prunedQuantized)) {
            for (int i = 0; i < series.getItemCount(); i++) {
                maxX = Math.max(maxX, Math.abs(series.getX(i).doubleValue()));
            }
        }
        xAxis.setAutoRangeMinimumSize(maxX > 0 ? maxX * 0.2 : 1e-9);
        fitKld(List.of(all, weighted, pruned, prunedQuantized));
        // The imatrix's effect in one figure: the mean relative change of KLD over the schemes measured both ways.
        note.setText(measured == 0 ? "No point measured yet"
                : measured + " measured" + (reason.isEmpty() ? " · " + best.getItemCount() + " on the front" : "")
                + (changes.isEmpty() ? "" : String.format(Locale.ROOT, " · imatrix: KLD %+.1f %%",
                        100 * changes.stream().mapToDouble(Double::doubleValue).average().orElse(0)))
                + (currentLabel.isEmpty() ? "" : " · current choice: " + currentLabel));
    }

    /**
     * Points within a factor of two in KL divergence (the first point of a sweep, alone) get a range of a decade
     * around them: auto-ranged, the log axis would zoom into a sliver and print the same value at every tick.
     */
    private void fitKld(List<XYSeries> series) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (XYSeries s : series) {
            for (int i = 0; i < s.getItemCount(); i++) {
                lo = Math.min(lo, s.getY(i).doubleValue());
                hi = Math.max(hi, s.getY(i).doubleValue());
            }
        }
        if (hi > 0 && hi < 2 * lo) {
            double mid = Math.sqrt(lo * hi);
            yAxis.setRange(mid / Math.sqrt(10), mid * Math.sqrt(10));
        } else {
            yAxis.setAutoRange(true);
        }
    }

    static double y(SweepPoint.Measured m) { return Math.max(KLD_FLOOR, m.accuracy().kldMean()); }

    /** KL divergence tick labels: three significant digits, scientific below 0.001. */
    static final class KldFormat extends java.text.NumberFormat {
        @Override
        public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
            if (v == 0) return to.append('0');
            String text = Math.abs(v) >= 1e-3
                    ? new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString()
                    : String.format(Locale.ROOT, "%.2e", v).replace("e-0", "e-");
            return to.append(text);
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, java.text.FieldPosition pos) {
            return format((double) v, to, pos);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException("tick labels are never parsed");
        }
    }
}
