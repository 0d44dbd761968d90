package dev.quantscope.app.prune.curves;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.eval.prune.SensitivityPoint;
import dev.quantscope.eval.prune.SensitivityResult;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Paint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One bar per tensor or block: its mean KL divergence against the dense model when it alone is pruned. The
 * {@value #TO_SPARE} tallest are drawn in the warning colour: the layers a recipe should prune less, or spare.
 */
final class SensitivityChart {
    static final int TO_SPARE = 3;
    static final String SERIES = "mean KL divergence, this unit alone pruned";

    private final DefaultCategoryDataset data = new DefaultCategoryDataset();
    private final Set<String> tallest = new HashSet<>();
    private final CategoryAxis units = new CategoryAxis(null);
    private final ChartViewer viewer;

    SensitivityChart() {
        BarRenderer bars = new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return tallest.contains((String) data.getColumnKey(column)) ? ChartStyle.DANGER : ChartStyle.ACCENT;
            }
        };
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setMaximumBarWidth(0.06);
        NumberAxis kld = new NumberAxis("mean KL divergence (higher: spare it)");
        CategoryPlot plot = new CategoryPlot(data, units, kld, bars);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        org.jfree.chart.title.TextTitle key = new org.jfree.chart.title.TextTitle("red: the " + TO_SPARE
                + " units whose pruning costs most, the ones to spare", new java.awt.Font("DejaVu Sans",
                java.awt.Font.PLAIN, 11));
        chart.addSubtitle(key);
        ChartStyle.apply(chart);
        viewer = ChartViewers.inScrollingPage(chart);
        viewer.setId("sensitivityChart");
    }

    ChartViewer viewer() { return viewer; }

    DefaultCategoryDataset dataset() { return data; }

    /** The names drawn as the ones to spare. */
    Set<String> tallest() { return Set.copyOf(tallest); }

    void show(List<SensitivityPoint> points) {
        data.clear();
        tallest.clear();
        List<SensitivityPoint.Measured> measured = SensitivityResult.measured(points);
        for (SensitivityPoint.Measured m : measured) data.addValue(m.accuracy().kldMean(), SERIES, m.name());
        SensitivityResult.mostSensitive(points, TO_SPARE).forEach(m -> tallest.add(m.name()));
        // Tensor names are long: slanted, they stay readable for the 35 of a small model.
        units.setCategoryLabelPositions(measured.size() > 8 ? CategoryLabelPositions.UP_45 : CategoryLabelPositions.STANDARD);
    }
}
