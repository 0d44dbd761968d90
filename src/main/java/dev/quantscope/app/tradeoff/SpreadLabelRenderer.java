package dev.quantscope.app.tradeoff;

import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYDataset;

import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws item labels where they do not cover each other: schemes of a sweep often sit within a few KiB and a few
 * percent of KL divergence of each other (Q4_K_S next to Q4_K_M), and JFreeChart's fixed label position piles their
 * names on top of one another. Each label takes the first spot, in a fixed order of candidates around its point,
 * that is inside the plot and overlaps no label or point drawn before; a label with no free spot is left out
 * (the table lists every point). The classifier Trade-off chart draws its labels with it too.
 */
public final class SpreadLabelRenderer extends XYLineAndShapeRenderer {
    /** Candidate offsets of the label's centre from the point, in units of (label width/2 + gap, line height). */
    private static final double[][] SPOTS = {
            {0, -1}, {0, 1}, {1, 0}, {-1, 0}, {1, -1}, {-1, -1}, {1, 1}, {-1, 1}, {0, -2}, {0, 2}, {1, -2}, {-1, 2}};
    private static final double GAP = 6, POINT = 5;

    private final List<Rectangle2D> taken = new ArrayList<>();
    private Rectangle2D area = new Rectangle2D.Double();

    @Override
    public XYItemRendererState initialise(Graphics2D g2, Rectangle2D dataArea, XYPlot plot, XYDataset data,
                                          PlotRenderingInfo info) {
        taken.clear(); // one draw pass: start with an empty chart
        area = dataArea;
        return super.initialise(g2, dataArea, plot, data, info);
    }

    @Override
    protected void drawItemLabel(Graphics2D g2, PlotOrientation orientation, XYDataset dataset, int series, int item,
                                 double x, double y, boolean negative) {
        var generator = getItemLabelGenerator(series, item);
        if (generator == null) return;
        String text = generator.generateLabel(dataset, series, item);
        if (text == null || text.isEmpty()) return;
        g2.setFont(getItemLabelFont(series, item));
        g2.setPaint(getItemLabelPaint(series, item));
        FontMetrics fm = g2.getFontMetrics();
        double w = fm.stringWidth(text), h = fm.getAscent() + fm.getDescent();
        // Points of every series block labels too: mark every point before placing any label.
        if (taken.isEmpty()) {
            for (int s = 0; s < dataset.getSeriesCount(); s++) {
                for (int i = 0; i < dataset.getItemCount(s); i++) {
                    double yv = dataset.getYValue(s, i);
                    if (Double.isNaN(yv)) continue; // a gap in a line series
                    double px = getPlot().getDomainAxis().valueToJava2D(dataset.getXValue(s, i), area,
                            getPlot().getDomainAxisEdge());
                    double py = getPlot().getRangeAxis().valueToJava2D(yv, area, getPlot().getRangeAxisEdge());
                    taken.add(new Rectangle2D.Double(px - POINT, py - POINT, 2 * POINT, 2 * POINT));
                }
            }
        }
        for (double[] s : SPOTS) {
            double cx = x + s[0] * (w / 2 + GAP), cy = y + s[1] * (h / 2 + GAP);
            Rectangle2D r = new Rectangle2D.Double(cx - w / 2, cy - h / 2, w, h);
            if (!area.contains(r) || taken.stream().anyMatch(r::intersects)) continue;
            taken.add(r);
            g2.drawString(text, (float) r.getX(), (float) (r.getY() + fm.getAscent()));
            return;
        }
    }
}
