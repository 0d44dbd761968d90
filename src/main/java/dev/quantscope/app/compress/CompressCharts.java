package dev.quantscope.app.compress;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.pipeline.plan.PlanError;
import dev.quantscope.quant.preview.Pareto;
import dev.quantscope.quant.preview.TensorPreview;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Compress page's charts, all in the app's flat JFreeChart style. */
final class CompressCharts {
    private CompressCharts() {}

    private static final double MIB = 1024.0 * 1024.0;
    private static final Font SMALL = new Font("DejaVu Sans", Font.PLAIN, 11);

    private static TextTitle subtitle(JFreeChart chart) {
        TextTitle t = new TextTitle("");
        t.setFont(SMALL);
        t.setPaint(ChartStyle.palette().muted());
        chart.addSubtitle(t);
        return t;
    }

    /** The y value of a plan's error: SQNR in dB (higher is better) or weight MSE (lower is better). */
    static double y(PlanError e, boolean mse) { return mse ? e.total().mse() : e.total().sqnrDb(); }

    /** Size (x) against error (y) for every preset and the current choice, with the Pareto front. */
    static final class Tradeoff {
        private final XYSeriesCollection data = new XYSeriesCollection();
        private final XYPlot plot;
        private final ChartViewer viewer;
        private final TextTitle note;
        private final PointLabels labels = new PointLabels();
        private String currentName = "";

        Tradeoff() {
            XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
            r.setSeriesLinesVisible(0, false);
            r.setSeriesShapesVisible(0, true);
            r.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
            r.setSeriesPaint(0, ChartStyle.ACCENT);
            r.setSeriesLinesVisible(1, true);
            r.setSeriesShapesVisible(1, false);
            r.setSeriesPaint(1, ChartStyle.SUCCESS);
            r.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                    new float[] {5f, 4f}, 0f));
            r.setSeriesLinesVisible(2, false);
            r.setSeriesShapesVisible(2, true);
            r.setSeriesShape(2, new Ellipse2D.Double(-7, -7, 14, 14));
            r.setSeriesPaint(2, ChartStyle.DANGER);
            // Hover shows a point's name and figures; the labels themselves are laid out by PointLabels.
            r.setDefaultToolTipGenerator((ds, series, item) -> {
                String name = labels.labels().stream().filter(l -> l.x() == ds.getXValue(series, item)
                        && l.y() == ds.getYValue(series, item)).map(PointLabels.Label::text).findFirst().orElse("");
                return String.format(java.util.Locale.ROOT, "%s: %.2f MiB, %.4g", name, ds.getXValue(series, item),
                        ds.getYValue(series, item));
            });
            NumberAxis x = new NumberAxis("size (MiB)");
            x.setAutoRangeIncludesZero(false);
            NumberAxis y = new NumberAxis("weight SQNR (dB, higher is better)");
            y.setAutoRangeIncludesZero(false);
            plot = new XYPlot(data, x, y, r);
            plot.addAnnotation(labels);
            // Fixed legend items with real shapes: a line-only item has an empty graphic box in JFreeChart's
            // legend, so its line was drawn over the previous item's text.
            LegendItemCollection legend = new LegendItemCollection();
            legend.add(new LegendItem("llama-quantize presets", ChartStyle.ACCENT));
            legend.get(0).setShape(new Ellipse2D.Double(-4, -4, 8, 8));
            LegendItem front = new LegendItem("Pareto front", ChartStyle.SUCCESS);
            front.setShape(new java.awt.geom.Rectangle2D.Double(-10, -1, 20, 2));
            legend.add(front);
            LegendItem cur = new LegendItem("current choice", ChartStyle.DANGER);
            cur.setShape(new Ellipse2D.Double(-6, -6, 12, 12));
            legend.add(cur);
            plot.setFixedLegendItems(legend);
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            note = subtitle(chart);
            ChartStyle.apply(chart);
            chart.getLegend().setItemLabelPadding(new org.jfree.chart.ui.RectangleInsets(2, 4, 2, 30));
            viewer = dev.quantscope.app.common.ChartViewers.inScrollingPage(chart);
            viewer.setId("tradeoffChart");
        }

        ChartViewer viewer() { return viewer; }

        XYSeriesCollection dataset() { return data; }

        void show(TradeoffResult r, boolean mse) {
            data.removeAllSeries();
            List<PointLabels.Label> names = new ArrayList<>();
            XYSeries presets = new XYSeries("llama-quantize presets", false, true);
            List<Pareto.Point<String>> pts = new ArrayList<>();
            for (PlanError e : r.presets()) {
                double yv = y(e, mse);
                if (!Double.isFinite(yv)) continue;
                presets.add(e.plan().bytes() / MIB, yv);
                boolean isCurrent = e.plan().label().equals(r.current().plan().label());
                if (!isCurrent) names.add(new PointLabels.Label(e.plan().bytes() / MIB, yv, e.plan().label(), false));
                pts.add(new Pareto.Point<>(e.plan().label(), e.plan().bytes(), mse ? yv : -yv));
            }
            double cy = y(r.current(), mse);
            if (Double.isFinite(cy) && r.current().plan().preset().isEmpty()) {
                pts.add(new Pareto.Point<>(r.current().plan().label(), r.current().plan().bytes(), mse ? cy : -cy));
            }
            XYSeries front = new XYSeries("Pareto front", false, true);
            for (Pareto.Point<String> p : Pareto.front(pts)) front.add(p.size() / MIB, mse ? p.cost() : -p.cost());
            XYSeries current = new XYSeries("current choice", false, true);
            currentName = r.current().plan().label();
            if (Double.isFinite(cy)) {
                current.add(r.current().plan().bytes() / MIB, cy);
                names.add(new PointLabels.Label(r.current().plan().bytes() / MIB, cy, currentName, true));
            }
            labels.set(names);
            data.addSeries(presets);
            data.addSeries(front);
            data.addSeries(current);
            ValueAxis y = mse ? logAxis("weight MSE (log scale, lower is better)")
                    : new NumberAxis("weight SQNR (dB, higher is better)");
            if (y instanceof NumberAxis n) n.setAutoRangeIncludesZero(false);
            ChartStyle.axis(y);
            y.setUpperMargin(0.12);
            plot.setRangeAxis(y);
            boolean unchanged = r.current().plan().tensors().stream().noneMatch(t -> t.changesValues());
            // What the figures rest on (r.note()) is said beside the chart; a subtitle that long would be clipped.
            note.setText("current: " + currentName + " = " + Numbers.bytes(r.current().plan().bytes())
                    + ", " + (unchanged ? "no error: every tensor is kept as it is"
                    : mse ? "MSE " + Numbers.stat(cy) : String.format(java.util.Locale.ROOT, "%.2f dB", cy)));
        }

        private static LogAxis logAxis(String label) {
            LogAxis a = new LogAxis(label);
            a.setSmallestValue(1e-30);
            return a;
        }
    }

    /** SQNR per tensor, one bar each, coloured by the type the tensor is assigned. */
    static final class PerTensor {
        private final DefaultCategoryDataset data = new DefaultCategoryDataset();
        private final Map<String, Color> colourOfType = new LinkedHashMap<>();
        private final Map<String, String> typeOfTensor = new HashMap<>();
        private final CategoryPlot plot;
        private final ChartViewer viewer;
        private final TextTitle note;

        PerTensor() {
            BarRenderer bars = new BarRenderer() {
                @Override
                public Paint getItemPaint(int row, int column) {
                    String tensor = (String) data.getColumnKey(column);
                    return colourOfType.getOrDefault(typeOfTensor.get(tensor), ChartStyle.palette().muted());
                }
            };
            bars.setBarPainter(new StandardBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            bars.setItemMargin(0);
            bars.setMaximumBarWidth(0.05);
            CategoryAxis x = new CategoryAxis("tensor");
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
            x.setMaximumCategoryLabelWidthRatio(0.6f);
            NumberAxis y = new NumberAxis("SQNR (dB)");
            plot = new CategoryPlot(data, x, y, bars) {
                @Override
                public LegendItemCollection getLegendItems() {
                    LegendItemCollection items = new LegendItemCollection();
                    colourOfType.forEach((type, c) -> items.add(new LegendItem(type, c)));
                    return items;
                }
            };
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            note = subtitle(chart);
            ChartStyle.apply(chart);
            x.setTickLabelFont(new Font("DejaVu Sans Mono", Font.PLAIN, 9));
            viewer = dev.quantscope.app.common.ChartViewers.inScrollingPage(chart);
            viewer.setId("perTensorChart");
        }

        ChartViewer viewer() { return viewer; }

        DefaultCategoryDataset dataset() { return data; }

        void show(PlanError e) {
            data.clear();
            colourOfType.clear();
            typeOfTensor.clear();
            int kept = 0;
            double worst = Double.POSITIVE_INFINITY;
            String worstName = "";
            for (PlanError.TensorError t : e.tensors()) {
                if (!t.plan().changesValues()) {
                    kept++;
                    continue;
                }
                double s = t.metrics().sqnrDb();
                if (!Double.isFinite(s)) continue;
                String type = t.plan().schemeLabel();
                colourOfType.computeIfAbsent(type, _ -> ChartStyle.SERIES[colourOfType.size() % ChartStyle.SERIES.length]);
                typeOfTensor.put(t.plan().name(), type);
                data.addValue(s, "SQNR", t.plan().name());
                if (s < worst) {
                    worst = s;
                    worstName = t.plan().name();
                }
            }
            note.setText(e.plan().label() + "  ·  " + data.getColumnCount() + " quantized tensors, " + kept
                    + " kept as they are" + (worstName.isEmpty() ? "" : String.format(java.util.Locale.ROOT,
                    "  ·  most sensitive: %s (%.1f dB)", worstName, worst)));
        }
    }

    /** Original and dequantized value histograms on the same bins, with the block's grid levels marked. */
    static final class Overlay {
        private final XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        private final XYPlot plot;
        private final ChartViewer viewer;
        private final TextTitle note;

        Overlay() {
            XYBarRenderer bars = new XYBarRenderer();
            bars.setBarPainter(new StandardXYBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            // Original: soft filled bars. Dequantized: outlines only, so the original stays visible beneath the
            // spikes the grid levels make.
            bars.setSeriesPaint(0, new Color(0x09, 0x69, 0xDA, 0x70));
            bars.setSeriesPaint(1, new Color(0, 0, 0, 0));
            bars.setDrawBarOutline(true);
            bars.setSeriesOutlinePaint(0, new Color(0, 0, 0, 0));
            bars.setSeriesOutlinePaint(1, new Color(0xBF, 0x87, 0x00));
            bars.setSeriesOutlineStroke(1, new BasicStroke(1.6f));
            NumberAxis x = new NumberAxis("weight value");
            x.setAutoRangeIncludesZero(false);
            plot = new XYPlot(data, x, new NumberAxis("log₁₀(1 + count)"), bars);
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            note = subtitle(chart);
            ChartStyle.apply(chart);
            viewer = dev.quantscope.app.common.ChartViewers.inScrollingPage(chart);
            viewer.setId("overlayChart");
        }

        ChartViewer viewer() { return viewer; }

        XYIntervalSeriesCollection dataset() { return data; }

        XYPlot plot() { return plot; }

        void show(TensorPreview p) {
            data.removeAllSeries();
            data.addSeries(series("original", p.original(), p.lo(), p.hi()));
            data.addSeries(series("dequantized (" + p.scheme().shortLabel() + ")", p.dequantized(), p.lo(), p.hi()));
            plot.clearDomainMarkers();
            if (!p.changesValues()) {
                // Kept: both histograms are the same values, and there is no grid to mark.
                note.setText(p.tensor() + "  ·  kept as it is: the stored values are the original ones, no error");
                return;
            }
            double[] levels = p.walkthrough().levels();
            if (levels.length <= 256) {
                for (double l : levels) {
                    ValueMarker m = new ValueMarker(l, ChartStyle.DANGER, new BasicStroke(0.8f));
                    m.setAlpha(0.7f);
                    plot.addDomainMarker(m, Layer.FOREGROUND);
                }
            }
            note.setText(String.format(java.util.Locale.ROOT, "%s  ·  red lines: the %d grid levels of row %d, "
                            + "weights %d–%d  ·  SQNR %.2f dB%s", p.tensor(), levels.length, p.walkthrough().row(),
                    p.walkthrough().firstColumn(), p.walkthrough().firstColumn() + p.walkthrough().size() - 1,
                    p.sums().sqnrDb(), p.exact() ? "" : "  ·  sampled rows"));
        }

        void clear() {
            data.removeAllSeries();
            plot.clearDomainMarkers();
            note.setText("");
        }
    }

    /** Histogram of the errors y − x. */
    static final class Errors {
        private final XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        private final ChartViewer viewer;
        private final TextTitle note;

        Errors() {
            XYBarRenderer bars = new XYBarRenderer();
            bars.setBarPainter(new StandardXYBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            bars.setSeriesPaint(0, ChartStyle.DANGER);
            bars.setMargin(0.05);
            NumberAxis x = new NumberAxis("error  y − x");
            x.setAutoRangeIncludesZero(false);
            XYPlot plot = new XYPlot(data, x, new NumberAxis("count"), bars);
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
            note = subtitle(chart);
            ChartStyle.apply(chart);
            viewer = dev.quantscope.app.common.ChartViewers.inScrollingPage(chart);
            viewer.setId("errorChart");
        }

        ChartViewer viewer() { return viewer; }

        void show(TensorPreview p) {
            data.removeAllSeries();
            XYIntervalSeries s = new XYIntervalSeries("errors");
            long[] c = p.errors();
            double w = (p.errHi() - p.errLo()) / c.length;
            for (int b = 0; b < c.length; b++) {
                double lo = p.errLo() + b * w;
                s.add(lo + w / 2, lo, lo + w, c[b], 0, c[b]);
            }
            data.addSeries(s);
            note.setText("MSE " + Numbers.stat(p.sums().mse()) + "  ·  max |error| " + Numbers.stat(p.sums().maxAbsError()));
        }

        void clear() {
            data.removeAllSeries();
            note.setText("");
        }
    }

    private static XYIntervalSeries series(String name, long[] counts, double lo, double hi) {
        XYIntervalSeries s = new XYIntervalSeries(name);
        double w = (hi - lo) / counts.length;
        for (int b = 0; b < counts.length; b++) {
            double from = lo + b * w;
            double y = Math.log10(1 + counts[b]);
            s.add(from + w / 2, from, from + w, y, 0, y);
        }
        return s;
    }
}
