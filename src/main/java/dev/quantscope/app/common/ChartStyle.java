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
 * One flat look for every JFreeChart in the app, matching the AtlantaFX Primer palette of the window's theme
 * (light or dark paper), hairline grid, no gradients or shadows, and the app's sans font, so charts read as part
 * of the window, not as images. Charts styled here are remembered (weakly) and restyled when the theme changes.
 * FX thread only.
 */
public final class ChartStyle {
    public static final Color ACCENT = new Color(0x09, 0x69, 0xDA);
    public static final Color ACCENT_SOFT = new Color(0x09, 0x69, 0xDA, 0x40);
    public static final Color DANGER = new Color(0xCF, 0x22, 0x2E);
    public static final Color SUCCESS = new Color(0x1A, 0x7F, 0x37);

    /** The theme-dependent colours: the paper, text, secondary text and grid lines. */
    public record Palette(Color paper, Color text, Color muted, Color grid) {}

    /** Primer light. */
    public static final Palette LIGHT = new Palette(Color.WHITE, new Color(0x1F, 0x23, 0x28),
            new Color(0x65, 0x6D, 0x76), new Color(0xD8, 0xDE, 0xE4));
    /** Primer dark: the window's canvas, its default and muted foregrounds, its border colour. */
    public static final Palette DARK = new Palette(new Color(0x0D, 0x11, 0x17), new Color(0xE6, 0xED, 0xF3),
            new Color(0x91, 0x98, 0xA1), new Color(0x30, 0x36, 0x3D));

    private static final java.util.Set<JFreeChart> STYLED =
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

    /** The palette of the current theme. */
    public static Palette palette() { return PALETTE.get(); }

    private static final javafx.beans.property.ReadOnlyObjectWrapper<Palette> PALETTE =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(LIGHT);

    /**
     * The current palette, for views that paint themselves (canvases) and redraw when it changes; hold the listener
     * weakly ({@code WeakChangeListener}: an invalidation listener would hear only the first change) so that a closed
     * view is not kept alive by it.
     */
    public static javafx.beans.property.ReadOnlyObjectProperty<Palette> paletteProperty() { return PALETTE.getReadOnlyProperty(); }

    /** Switches every chart styled so far, and every one styled later, to the dark or the light palette. */
    public static void useDark(boolean dark) {
        PALETTE.set(dark ? DARK : LIGHT);
        for (JFreeChart chart : java.util.List.copyOf(STYLED)) apply(chart);
    }

    /** Distinct, colour-blind-friendlier series colours for categorical charts. */
    public static final Color[] SERIES = {
            ACCENT, new Color(0xBF, 0x87, 0x00), SUCCESS, new Color(0x82, 0x50, 0xDF), DANGER,
            new Color(0x1B, 0x7C, 0x83), new Color(0xBC, 0x4C, 0x00), new Color(0x65, 0x6D, 0x76)};

    private static final String FONT = "DejaVu Sans";

    private ChartStyle() {}

    public static JFreeChart apply(JFreeChart chart) {
        STYLED.add(chart);
        Palette p = palette();
        chart.setBackgroundPaint(p.paper());
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 4, 4, 12));
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(new Font(FONT, Font.BOLD, 13));
            chart.getTitle().setPaint(p.text());
        }
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(new Font(FONT, Font.PLAIN, 11));
            chart.getLegend().setItemPaint(p.text());
            chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
            chart.getLegend().setBackgroundPaint(p.paper());
        }
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            // notes under the title (a chart's legend is a subtitle too, styled above)
            if (chart.getSubtitle(i) instanceof org.jfree.chart.title.TextTitle t) t.setPaint(p.muted());
        }
        Plot plot = chart.getPlot();
        plot.setBackgroundPaint(p.paper());
        plot.setOutlineVisible(false);
        switch (plot) {
            case XYPlot xy -> {
                grid(xy, p.grid());
                for (int i = 0; i < xy.getDomainAxisCount(); i++) {
                    if (xy.getDomainAxis(i) != null) axis(xy.getDomainAxis(i));
                }
                for (int i = 0; i < xy.getRangeAxisCount(); i++) {
                    if (xy.getRangeAxis(i) != null) axis(xy.getRangeAxis(i));
                }
                for (int i = 0; i < xy.getRendererCount(); i++) {
                    if (xy.getRenderer(i) != null) xy.getRenderer(i).setDefaultItemLabelPaint(p.text());
                }
            }
            case CategoryPlot cat -> {
                if (cat.getRenderer() != null) cat.getRenderer().setDefaultItemLabelPaint(p.text());
                cat.setRangeGridlinePaint(p.grid());
                cat.setRangeGridlineStroke(new BasicStroke(1f));
                cat.setDomainGridlinesVisible(false);
                axis(cat.getRangeAxis());
                var domain = cat.getDomainAxis();
                domain.setTickLabelFont(new Font(FONT, Font.PLAIN, 11));
                domain.setTickLabelPaint(p.muted());
                domain.setLabelFont(new Font(FONT, Font.PLAIN, 12));
                domain.setLabelPaint(p.muted());
                domain.setAxisLinePaint(p.grid());
                domain.setTickMarksVisible(false);
            }
            default -> { }
        }
        return chart;
    }

    private static void grid(XYPlot xy, Color grid) {
        xy.setDomainGridlinePaint(grid);
        xy.setRangeGridlinePaint(grid);
        xy.setDomainGridlineStroke(new BasicStroke(1f));
        xy.setRangeGridlineStroke(new BasicStroke(1f));
        xy.setAxisOffset(RectangleInsets.ZERO_INSETS);
    }

    /** An axis in the current palette: its fonts, label and tick colours (also for axes swapped in later). */
    public static void axis(ValueAxis axis) {
        axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 11));
        Palette palette = palette();
        axis.setTickLabelPaint(palette.muted());
        axis.setLabelFont(new Font(FONT, Font.PLAIN, 12));
        axis.setLabelPaint(palette.muted());
        axis.setAxisLinePaint(palette.grid());
        axis.setTickMarkPaint(palette.grid());
    }
}
