package dev.quantscope.app.prune;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.pipeline.plan.ModelPlan;
import dev.quantscope.pipeline.plan.TensorPlan;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

import java.awt.Color;
import java.awt.Font;
import java.util.Locale;
import java.util.Optional;

/** The Prune page's charts: one tensor's weights before and after, and every pruned tensor's sparsity. */
final class PruneCharts {
    private static final Font SMALL = new Font("DejaVu Sans", Font.PLAIN, 11);

    private PruneCharts() {}

    private static TextTitle subtitle(JFreeChart chart) {
        TextTitle t = new TextTitle("");
        t.setFont(SMALL);
        t.setPaint(ChartStyle.palette().muted());
        chart.addSubtitle(t);
        return t;
    }

    /**
     * Before and after as bars of log₁₀(1 + count) (a log axis has no place for empty bins), the exact zeros as a
     * bar of their own at 0 in a colour of their own: after pruning they outnumber every bin.
     */
    static final class Histogram {
        private final XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        private final ChartViewer viewer;
        private final TextTitle note;

        Histogram() {
            NumberAxis x = new NumberAxis("weight");
            x.setAutoRangeIncludesZero(false);
            NumberAxis y = new NumberAxis("log₁₀(1 + count)");
            XYBarRenderer bars = new XYBarRenderer();
            bars.setBarPainter(new StandardXYBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            bars.setSeriesPaint(0, new Color(0x8C, 0x95, 0x9F, 0x90));
            bars.setSeriesPaint(1, ChartStyle.ACCENT);
            bars.setSeriesPaint(2, ChartStyle.DANGER);
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, new XYPlot(data, x, y, bars), true);
            note = subtitle(chart);
            ChartStyle.apply(chart);
            viewer = ChartViewers.inScrollingPage(chart);
            viewer.setId("pruneHistogram");
        }

        ChartViewer viewer() { return viewer; }

        XYIntervalSeriesCollection dataset() { return data; }

        void show(TensorResult r) {
            data.removeAllSeries();
            data.addSeries(series("before", r.before()));
            r.after().ifPresent(a -> {
                data.addSeries(series("after", a));
                XYIntervalSeries zeros = new XYIntervalSeries("exact zeros after");
                double half = a.binWidth() / 2, y = Math.log10(1 + a.zeros());
                zeros.add(0, -half, half, y, 0, y);
                data.addSeries(zeros);
            });
            long zerosAfter = r.after().map(WeightHistogram::zeros).orElse(r.before().zeros());
            note.setText(String.format(Locale.ROOT, "%s weights  ·  exact zeros: %s before, %s after",
                    Numbers.grouped(r.before().total()), Numbers.grouped(r.before().zeros()),
                    r.after().isPresent() ? Numbers.grouped(zerosAfter) : "not yet pruned"));
        }

        /** Non-zero weights per bin (the exact zeros have their own bar). */
        private static XYIntervalSeries series(String name, WeightHistogram h) {
            XYIntervalSeries s = new XYIntervalSeries(name);
            for (int b = 0; b < h.counts().length; b++) {
                double lo = h.binStart(b), hi = lo + h.binWidth();
                double y = Math.log10(1 + h.counts()[b]);
                s.add((lo + hi) / 2, lo, hi, y, 0, y);
            }
            return s;
        }

        void clear() {
            data.removeAllSeries();
            note.setText("");
        }
    }

    /**
     * Each pruned tensor's sparsity: planned, measured after pruning once the model was pruned, and what is left of
     * it after the quantization that follows when one was chosen and run.
     */
    static final class SparsityBars {
        static final String PLANNED = "planned", PRUNED = "after pruning", QUANTIZED = "after quantization";
        private final DefaultCategoryDataset data = new DefaultCategoryDataset();
        private final ChartViewer viewer;
        private final TextTitle note;

        SparsityBars() {
            BarRenderer bars = new BarRenderer();
            bars.setBarPainter(new StandardBarPainter());
            bars.setShadowVisible(false);
            bars.setDrawBarOutline(false);
            bars.setItemMargin(0.02);
            bars.setSeriesPaint(0, new Color(0x8C, 0x95, 0x9F));
            bars.setSeriesPaint(1, ChartStyle.ACCENT);
            bars.setSeriesPaint(2, ChartStyle.SUCCESS);
            CategoryAxis x = new CategoryAxis("tensor");
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
            x.setMaximumCategoryLabelWidthRatio(0.6f);
            NumberAxis y = new NumberAxis("sparsity (%)");
            JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, new CategoryPlot(data, x, y, bars), true);
            note = subtitle(chart);
            ChartStyle.apply(chart);
            x.setTickLabelFont(new Font("DejaVu Sans Mono", Font.PLAIN, 9));
            viewer = ChartViewers.inScrollingPage(chart);
            viewer.setId("sparsityBars");
        }

        ChartViewer viewer() { return viewer; }

        DefaultCategoryDataset dataset() { return data; }

        /** "blk.3.ffn_down.weight" → "3.ffn_down": every bar is a weight, and the axis has room for 35 names. */
        static String shortName(String tensor) {
            return tensor.replaceFirst("^blk\\.", "").replaceFirst("\\.weight$", "");
        }

        void show(ModelPlan plan, Optional<PruneRun> run) {
            data.clear();
            for (TensorPlan t : plan.tensors()) {
                if (t.pruning().isEmpty()) continue;
                String name = t.name(), label = shortName(name);
                data.addValue(t.targetSparsity() * 100, PLANNED, label);
                run.flatMap(r -> r.tensor(name)).ifPresent(r -> {
                    r.sparsity().ifPresent(s -> data.addValue(s * 100, PRUNED, label));
                    r.storedZeros().ifPresent(z -> data.addValue(100.0 * z / r.before().total(), QUANTIZED, label));
                });
            }
            note.setText(run.map(r -> String.format(Locale.ROOT, "measured on the pruned model: %.1f %% of the pruned "
                    + "tensors' weights are zero", r.sparsity() * 100))
                    .orElse("planned; press Prune model to measure every tensor"));
        }
    }
}
