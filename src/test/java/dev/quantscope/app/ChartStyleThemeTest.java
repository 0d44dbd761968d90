package dev.quantscope.app;

import dev.quantscope.app.common.ChartStyle;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChartStyleThemeTest {

    @AfterEach
    void backToLight() {
        ChartStyle.useDark(false);
    }

    @Test
    void chartsStyledEarlierFollowTheThemeSwitch() {
        JFreeChart chart = ChartFactory.createScatterPlot("t", "x", "y", new XYSeriesCollection());
        TextTitle note = new TextTitle("a note");
        chart.addSubtitle(note);
        ChartStyle.apply(chart);
        XYPlot plot = chart.getXYPlot();
        assertEquals(ChartStyle.LIGHT.paper(), chart.getBackgroundPaint());

        ChartStyle.useDark(true);
        assertEquals(ChartStyle.DARK.paper(), chart.getBackgroundPaint());
        assertEquals(ChartStyle.DARK.paper(), plot.getBackgroundPaint());
        assertEquals(ChartStyle.DARK.text(), chart.getTitle().getPaint());
        assertEquals(ChartStyle.DARK.muted(), note.getPaint());
        assertEquals(ChartStyle.DARK.muted(), plot.getRangeAxis().getTickLabelPaint());
        assertEquals(ChartStyle.DARK.grid(), plot.getDomainGridlinePaint());
        assertEquals(ChartStyle.DARK.text(), plot.getRenderer().getDefaultItemLabelPaint());

        // a chart made while dark starts dark, and both go back to light together
        JFreeChart later = ChartStyle.apply(ChartFactory.createScatterPlot("u", "x", "y", new XYSeriesCollection()));
        assertEquals(ChartStyle.DARK.paper(), later.getBackgroundPaint());
        ChartStyle.useDark(false);
        assertEquals(ChartStyle.LIGHT.paper(), chart.getBackgroundPaint());
        assertEquals(ChartStyle.LIGHT.paper(), later.getBackgroundPaint());
        assertEquals(ChartStyle.LIGHT.muted(), note.getPaint());
    }
}
