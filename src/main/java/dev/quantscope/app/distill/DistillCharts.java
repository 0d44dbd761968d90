package dev.quantscope.app.distill;

import dev.quantscope.app.common.ChartStyle;
import dev.quantscope.app.common.ChartViewers;
import dev.quantscope.distill.StudentRun;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.Locale;

/**
 * The two live charts of a distillation, side by side: loss and accuracy against epochs. The distilled student is
 * solid blue and the labels-only one dashed amber; validation is drawn thick with markers, training thin; the teacher's
 * validation accuracy is a green line across the accuracy chart, so what the teacher adds is seen at a glance; once a
 * run ends, the epoch whose weights it kept is a vertical line of its colour.
 */
final class DistillCharts {
    static final Color DISTILLED = ChartStyle.ACCENT;
    static final Color LABELS_ONLY = ChartStyle.SERIES[1];
    static final Color TEACHER = ChartStyle.SUCCESS;
    private static final Font SMALL = new Font("DejaVu Sans", Font.PLAIN, 11);
    private static final float[] DASH = {5f, 4f};
    private static final float[] TEACHER_DASH = {9f, 5f};

    private final Chart loss = new Chart("Loss", "loss", 0.5, "distillLossChart",
            "training: the distilled student's own loss (soft and hard), the other's cross-entropy; validation: cross-entropy");
    private final Chart accuracy = new Chart("Accuracy", "accuracy (%)", 10, "distillAccuracyChart",
            "validation thick with markers, training thin; green: the teacher; dotted: the epoch each student kept");

    ChartViewer lossViewer() { return loss.viewer; }

    ChartViewer accuracyViewer() { return accuracy.viewer; }

    /** Redraws both charts from the curves so far. */
    void show(DistillCurves curves) {
        loss.data.removeAllSeries();
        loss.add(run(StudentRun.DISTILLED) + ": training loss", curves.batchLoss(StudentRun.DISTILLED), 1, DISTILLED, false, false, null);
        loss.add(run(StudentRun.LABELS_ONLY) + ": training loss", curves.batchLoss(StudentRun.LABELS_ONLY), 1, LABELS_ONLY, true, false, null);
        loss.add(run(StudentRun.DISTILLED) + ": validation loss", curves.validationLoss(StudentRun.DISTILLED), 1, DISTILLED, false, true, circle());
        loss.add(run(StudentRun.LABELS_ONLY) + ": validation loss", curves.validationLoss(StudentRun.LABELS_ONLY), 1, LABELS_ONLY, true, true, square());

        accuracy.data.removeAllSeries();
        accuracy.add(run(StudentRun.DISTILLED) + ": validation", curves.validationAccuracy(StudentRun.DISTILLED), 100, DISTILLED, false, true, circle());
        accuracy.add(run(StudentRun.LABELS_ONLY) + ": validation", curves.validationAccuracy(StudentRun.LABELS_ONLY), 100, LABELS_ONLY, true, true, square());
        accuracy.add(run(StudentRun.DISTILLED) + ": training", curves.trainAccuracy(StudentRun.DISTILLED), 100, DISTILLED, false, false, null);
        accuracy.add(run(StudentRun.LABELS_ONLY) + ": training", curves.trainAccuracy(StudentRun.LABELS_ONLY), 100, LABELS_ONLY, true, false, null);

        // The teacher is a series, not a marker: so it has a legend entry, and the axes' automatic ranges (which the
        // Reset zoom button returns to) take it in. It spans the epochs drawn so far, so both charts share one x range.
        double drawn = Math.max(1, Math.max(upperX(loss.data), upperX(accuracy.data)));
        curves.teacherAccuracy().ifPresent(a -> accuracy.add(String.format(Locale.ROOT, "teacher: %.1f %%", 100 * a),
                List.of(new DistillCurves.Point(0, a), new DistillCurves.Point(drawn, a)), 100, TEACHER, TEACHER_DASH, true, null));

        XYPlot plot = accuracy.plot;
        plot.clearDomainMarkers();
        for (StudentRun r : StudentRun.values()) {
            curves.ending(r).filter(e -> e.keptEpoch() > 0).ifPresent(e -> plot.addDomainMarker(keptLine(r, e), Layer.FOREGROUND));
        }
    }

    private static double upperX(XYSeriesCollection data) {
        double x = data.getDomainUpperBound(false);
        return Double.isNaN(x) ? 0 : x;
    }

    private static String run(StudentRun r) {
        return switch (r) {
            case DISTILLED -> "distilled";
            case LABELS_ONLY -> "labels only";
        };
    }

    /**
     * The kept epoch's vertical line, in the run's colour and unlabelled: a label there sits on the curves as often as
     * not (they end high on the right), so the subtitle says what the lines are and the result under the chart names
     * the epochs.
     */
    private static ValueMarker keptLine(StudentRun r, DistillCurves.Ending e) {
        Color c = r == StudentRun.DISTILLED ? DISTILLED : LABELS_ONLY;
        return new ValueMarker(e.keptEpoch(), new Color(c.getRed(), c.getGreen(), c.getBlue(), 0x90),
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{2f, 3f}, 0f));
    }

    private static Shape circle() { return new Ellipse2D.Double(-3.5, -3.5, 7, 7); }

    private static Shape square() { return new Rectangle2D.Double(-3, -3, 6, 6); }

    /** One chart: its data, renderer and viewer. */
    private static final class Chart {
        final XYSeriesCollection data = new XYSeriesCollection();
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        final XYPlot plot;
        final ChartViewer viewer;

        /** {@code minimumSpan}: the least range of the y axis, for a flat line (the teacher alone in the first epoch). */
        Chart(String title, String yLabel, double minimumSpan, String id, String note) {
            NumberAxis x = new NumberAxis("epoch");
            x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            // Room after the last epoch, so that its points and the kept epoch's line do not sit on the plot's edge.
            x.setLowerMargin(0);
            x.setUpperMargin(0.05);
            x.setAutoRangeMinimumSize(1);
            NumberAxis y = new NumberAxis(yLabel);
            y.setAutoRangeIncludesZero(false);
            y.setAutoRangeMinimumSize(minimumSpan);
            plot = new XYPlot(data, x, y, renderer);
            JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
            TextTitle subtitle = new TextTitle(note, SMALL);
            subtitle.setPadding(new RectangleInsets(2, 0, 4, 0));
            chart.addSubtitle(subtitle);
            ChartStyle.apply(chart);
            chart.getLegend().setItemLabelPadding(new RectangleInsets(2, 4, 2, 14));
            viewer = ChartViewers.inScrollingPage(chart);
            viewer.setId(id);
        }

        void add(String name, List<DistillCurves.Point> points, double scale, Color colour, boolean dashed, boolean thick, Shape shape) {
            add(name, points, scale, colour, dashed ? DASH : null, thick, shape);
        }

        /** Adds a series (values × {@code scale}) in the run's colour: validation thick with markers, training thin. */
        void add(String name, List<DistillCurves.Point> points, double scale, Color colour, float[] dash, boolean thick, Shape shape) {
            XYSeries s = new XYSeries(name, false, true);
            for (DistillCurves.Point p : points) s.add(p.epoch(), p.value() * scale);
            int i = data.getSeriesCount();
            data.addSeries(s);
            renderer.setSeriesPaint(i, colour);
            float width = thick ? 2.2f : 1.3f;
            renderer.setSeriesStroke(i, dash != null
                    ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f)
                    : new BasicStroke(width));
            renderer.setSeriesShapesVisible(i, shape != null);
            if (shape != null) renderer.setSeriesShape(i, shape);
            renderer.setSeriesLinesVisible(i, true);
        }
    }
}
