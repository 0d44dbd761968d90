package dev.quantscope.app.compress;

import dev.quantscope.app.common.ChartStyle;
import org.jfree.chart.annotations.AbstractXYAnnotation;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Labels for scatter points that never overlap each other or the points: placed at draw time, in screen space,
 * one at a time (the emphasised ones first), each at the first free spot of a ring of candidate positions at
 * growing distances; a label placed away from its point gets a thin leader line. Presets crowd together (Q4_K_S,
 * Q4_K_M, Q4_1, IQ4_NL within a few percent of each other), which plain item labels draw on top of each other.
 */
final class PointLabels extends AbstractXYAnnotation {

    /** One label: a point in data coordinates, its text, and whether it is drawn emphasised. */
    record Label(double x, double y, String text, boolean strong) {}

    private static final Font FONT = new Font("DejaVu Sans", Font.PLAIN, 11);
    private static final Font STRONG = new Font("DejaVu Sans", Font.BOLD, 12);
    private static final double[][] DIRECTIONS = {
            {0, -1}, {0, 1}, {1, -1}, {-1, -1}, {1, 1}, {-1, 1}, {1, 0}, {-1, 0}};
    private static final double[] DISTANCES = {8, 22, 38, 56, 76};
    private static final double POINT_RADIUS = 5;

    private final List<Label> labels = new ArrayList<>();

    void set(List<Label> newLabels) {
        labels.clear();
        labels.addAll(newLabels.stream().sorted((a, b) -> Boolean.compare(b.strong(), a.strong())).toList());
        fireAnnotationChanged();
    }

    List<Label> labels() { return List.copyOf(labels); }

    @Override
    public void draw(Graphics2D g2, XYPlot plot, Rectangle2D area, ValueAxis domain, ValueAxis range,
                     int rendererIndex, PlotRenderingInfo info) {
        RectangleEdge xEdge = Plot.resolveDomainAxisLocation(plot.getDomainAxisLocation(), plot.getOrientation());
        RectangleEdge yEdge = Plot.resolveRangeAxisLocation(plot.getRangeAxisLocation(), plot.getOrientation());
        List<Rectangle2D> taken = new ArrayList<>();
        double[][] pts = new double[labels.size()][];
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            pts[i] = new double[] {domain.valueToJava2D(l.x(), area, xEdge), range.valueToJava2D(l.y(), area, yEdge)};
            if (Double.isFinite(pts[i][0]) && Double.isFinite(pts[i][1])) {
                taken.add(new Rectangle2D.Double(pts[i][0] - POINT_RADIUS, pts[i][1] - POINT_RADIUS,
                        2 * POINT_RADIUS, 2 * POINT_RADIUS));
            }
        }
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            double px = pts[i][0], py = pts[i][1];
            if (!Double.isFinite(px) || !Double.isFinite(py)) continue;
            g2.setFont(l.strong() ? STRONG : FONT);
            FontMetrics fm = g2.getFontMetrics();
            double w = fm.stringWidth(l.text()) + 4, h = fm.getAscent() + fm.getDescent();
            Rectangle2D spot = place(px, py, w, h, area, taken);
            taken.add(spot);
            double cx = spot.getCenterX(), cy = spot.getCenterY();
            if (Math.hypot(cx - px, cy - py) > Math.max(w, h) / 2 + 12) {
                // leader line from the point's edge to the label's nearest edge
                double ex = Math.max(spot.getMinX(), Math.min(px, spot.getMaxX()));
                double ey = Math.max(spot.getMinY(), Math.min(py, spot.getMaxY()));
                g2.setPaint(new Color(0x65, 0x6D, 0x76, 0xB0));
                g2.setStroke(new BasicStroke(0.8f));
                double d = Math.hypot(ex - px, ey - py);
                g2.draw(new Line2D.Double(px + (ex - px) * POINT_RADIUS / d, py + (ey - py) * POINT_RADIUS / d, ex, ey));
            }
            Color paper = ChartStyle.palette().paper();
            g2.setPaint(new Color(paper.getRed(), paper.getGreen(), paper.getBlue(), 0xC8));
            g2.fill(spot);
            g2.setPaint(l.strong() ? ChartStyle.DANGER : ChartStyle.palette().text());
            g2.drawString(l.text(), (float) (spot.getMinX() + 2), (float) (spot.getMinY() + fm.getAscent()));
        }
    }

    /** The first candidate spot inside the plot that overlaps nothing placed; the nearest one if all are taken. */
    private static Rectangle2D place(double px, double py, double w, double h, Rectangle2D area,
                                     List<Rectangle2D> taken) {
        for (double d : DISTANCES) {
            for (double[] dir : DIRECTIONS) {
                double cx = px + dir[0] * (d + w / 2), cy = py + dir[1] * (d + h / 2);
                Rectangle2D r = new Rectangle2D.Double(cx - w / 2, cy - h / 2, w, h);
                if (!area.contains(r)) continue;
                if (taken.stream().noneMatch(r::intersects)) return r;
            }
        }
        return new Rectangle2D.Double(px - w / 2, py - DISTANCES[0] - h, w, h);
    }
}
