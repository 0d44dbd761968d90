package dev.quantscope.app;

import dev.quantscope.app.common.ChartStyle;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The theme switch restyles every chart styled so far. It runs on the FX thread, as the menu item does: the charts
 * remembered include those of earlier tests' windows, whose canvases redraw on a restyle and must never be drawn
 * from two threads at once.
 */
@ExtendWith(ApplicationExtension.class)
class ChartStyleThemeTest {

    @AfterEach
    void backToLight(FxRobot robot) {
        robot.interact(() -> ChartStyle.useDark(false));
    }

    @Test
    void chartsStyledEarlierFollowTheThemeSwitch(FxRobot robot) {
        JFreeChart chart = ChartFactory.createScatterPlot("t", "x", "y", new XYSeriesCollection());
        TextTitle note = new TextTitle("a note");
        chart.addSubtitle(note);
        robot.interact(() -> ChartStyle.apply(chart));
        XYPlot plot = chart.getXYPlot();
        assertEquals(ChartStyle.LIGHT.paper(), chart.getBackgroundPaint());

        robot.interact(() -> ChartStyle.useDark(true));
        assertEquals(ChartStyle.DARK.paper(), chart.getBackgroundPaint());
        assertEquals(ChartStyle.DARK.paper(), plot.getBackgroundPaint());
        assertEquals(ChartStyle.DARK.text(), chart.getTitle().getPaint());
        assertEquals(ChartStyle.DARK.muted(), note.getPaint());
        assertEquals(ChartStyle.DARK.muted(), plot.getRangeAxis().getTickLabelPaint());
        assertEquals(ChartStyle.DARK.grid(), plot.getDomainGridlinePaint());
        assertEquals(ChartStyle.DARK.text(), plot.getRenderer().getDefaultItemLabelPaint());

        // a chart made while dark starts dark, and both go back to light together
        AtomicReference<JFreeChart> made = new AtomicReference<>();
        robot.interact(() -> made.set(
                ChartStyle.apply(ChartFactory.createScatterPlot("u", "x", "y", new XYSeriesCollection()))));
        JFreeChart later = made.get();
        assertEquals(ChartStyle.DARK.paper(), later.getBackgroundPaint());
        robot.interact(() -> ChartStyle.useDark(false));
        assertEquals(ChartStyle.LIGHT.paper(), chart.getBackgroundPaint());
        assertEquals(ChartStyle.LIGHT.paper(), later.getBackgroundPaint());
        assertEquals(ChartStyle.LIGHT.muted(), note.getPaint());
    }
}
