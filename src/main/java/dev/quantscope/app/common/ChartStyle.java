package dev.quantscope.app.common;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleInsets;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

/**
 * One flat look for every JFreeChart in the app, matching the AtlantaFX Primer palette: white paper, hairline
 * grid, no gradients or shadows, and the app's sans font, so charts read as part of the window, not as images.
 */
public final class ChartStyle {
    public static final Color ACCENT = new Color(0x09, 0x69, 0xDA);
    public static final Color ACCENT_SOFT = new Color(0x09, 0x69, 0xDA, 0x40);
    public static final Color DANGER = new Color(0xCF, 0x22, 0x2E);
    public static final Color SUCCESS = new Color(0x1A, 0x7F, 0x37);
    public static final Color TEXT = new Color(0x1F, 0x23, 0x28);
    public static final Color MUTED = new Color(0x65, 0x6D, 0x76);
    public static final Color GRID = new Color(0xD8, 0xDE, 0xE4);
    /** Distinct, colour-blind-friendlier series colours for categorical charts. */
    public static final Color[] SERIES = {
            ACCENT, new Color(0xBF, 0x87, 0x00), SUCCESS, new Color(0x82, 0x50, 0xDF), DANGER,
            new Color(0x1B, 0x7C, 0x83), new Color(0xBC, 0x4C, 0x00), MUTED};

    private static final String FONT = "DejaVu Sans";

    private ChartStyle() {}

    public static JFreeChart apply(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 4, 4, 12));
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(new Font(FONT, Font.BOLD, 13));
            chart.getTitle().setPaint(TEXT);
        }
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(new Font(FONT, Font.PLAIN, 11));
            chart.getLegend().setItemPaint(TEXT);
            chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
            chart.getLegend().setBackgroundPaint(Color.WHITE);
        }
        Plot plot = chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        switch (plot) {
            case XYPlot xy -> {
                grid(xy);
                axis(xy.getDomainAxis());
                axis(xy.getRangeAxis());
            }
            case CategoryPlot cat -> {
                cat.setRangeGridlinePaint(GRID);
                cat.setRangeGridlineStroke(new BasicStroke(1f));
                cat.setDomainGridlinesVisible(false);
                axis(cat.getRangeAxis());
                var domain = cat.getDomainAxis();
                domain.setTickLabelFont(new Font(FONT, Font.PLAIN, 11));
                domain.setTickLabelPaint(MUTED);
                domain.setLabelFont(new Font(FONT, Font.PLAIN, 12));
                domain.setLabelPaint(MUTED);
                domain.setAxisLinePaint(GRID);
                domain.setTickMarksVisible(false);
            }
            default -> { }
        }
        return chart;
    }

    private static void grid(XYPlot xy) {
        xy.setDomainGridlinePaint(GRID);
        xy.setRangeGridlinePaint(GRID);
        xy.setDomainGridlineStroke(new BasicStroke(1f));
        xy.setRangeGridlineStroke(new BasicStroke(1f));
        xy.setAxisOffset(RectangleInsets.ZERO_INSETS);
    }

    private static void axis(ValueAxis axis) {
        axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 11));
        axis.setTickLabelPaint(MUTED);
        axis.setLabelFont(new Font(FONT, Font.PLAIN, 12));
        axis.setLabelPaint(MUTED);
        axis.setAxisLinePaint(GRID);
        axis.setTickMarkPaint(GRID);
    }
}
