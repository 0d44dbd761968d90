package dev.quantscope.app.explorer;

import dev.quantscope.app.common.Activity;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.format.LayerGroup;
import dev.quantscope.stats.ChannelRanges;
import dev.quantscope.stats.Histogram;
import dev.quantscope.stats.TensorStats;
import dev.quantscope.tensor.TensorInfo;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;

/**
 * State of the tensor explorer of one open model: the selection, the tree filter, and the four analyses of the
 * selected tensor, each in its own latest-request-wins slot so a new selection cancels stale work.
 */
public final class ExplorerViewModel {
    public static final int DEFAULT_BINS = 100;
    /** The heatmap never samples more than this per side, whatever the screen. */
    static final int MAX_HEATMAP_SIDE = 2048;

    private final ModelSession session;
    private final ObjectProperty<TensorInfo> selected = new SimpleObjectProperty<>();
    private final StringProperty filter = new SimpleStringProperty("");
    private final IntegerProperty bins = new SimpleIntegerProperty(DEFAULT_BINS);
    private final BooleanProperty logCounts = new SimpleBooleanProperty(false);
    private final BackgroundJob<TensorStats> stats;
    private final BackgroundJob<Histogram> histogram;
    private final BackgroundJob<ChannelRanges> channelRanges;
    private final BackgroundJob<Heatmap> heatmap;
    private final Activity activity;
    private int heatmapWidth = 512;
    private int heatmapHeight = 512;

    public ExplorerViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.stats = new BackgroundJob<>(executor);
        this.histogram = new BackgroundJob<>(executor);
        this.channelRanges = new BackgroundJob<>(executor);
        this.heatmap = new BackgroundJob<>(executor);
        this.activity = new Activity(List.of(stats, histogram, channelRanges, heatmap));
        selected.addListener((_, _, t) -> analyse(t));
        bins.addListener((_, _, _) -> requestHistogram());
    }

    /** The layers whose tensors match the filter (case-insensitive substring of the tensor name). */
    public List<LayerGroup> filteredLayers() {
        String f = filter.get() == null ? "" : filter.get().strip().toLowerCase(Locale.ROOT);
        List<LayerGroup> layers = session.model().layers();
        if (f.isEmpty()) return layers;
        List<LayerGroup> out = new ArrayList<>();
        for (LayerGroup g : layers) {
            List<TensorInfo> hits = g.tensors().stream()
                    .filter(t -> t.name().toLowerCase(Locale.ROOT).contains(f)).toList();
            if (!hits.isEmpty()) out.add(new LayerGroup(g.name(), g.index(), hits));
        }
        return out;
    }

    private void analyse(TensorInfo t) {
        if (t == null) {
            stats.reset();
            histogram.reset();
            channelRanges.reset();
            heatmap.reset();
            return;
        }
        stats.submit("Statistics of " + t.name(), m -> session.read(() -> session.stats().stats(t, m)));
        requestHistogram();
        channelRanges.submit("Channel ranges of " + t.name(),
                m -> session.read(() -> session.stats().channelRanges(t, m)));
        requestHeatmap();
    }

    private void requestHistogram() {
        TensorInfo t = selected.get();
        if (t == null) return;
        int n = bins.get();
        histogram.submit("Histogram of " + t.name(), m -> session.read(() -> session.stats().histogram(t, n, m)));
    }

    /** Sets the heatmap's target size (the view's size in pixels) and resamples when it changed. */
    public void heatmapViewport(double width, double height) {
        int w = (int) Math.max(16, Math.min(MAX_HEATMAP_SIDE, Math.round(width)));
        int h = (int) Math.max(16, Math.min(MAX_HEATMAP_SIDE, Math.round(height)));
        if (w == heatmapWidth && h == heatmapHeight) return;
        heatmapWidth = w;
        heatmapHeight = h;
        requestHeatmap();
    }

    private void requestHeatmap() {
        TensorInfo t = selected.get();
        if (t == null) return;
        int w = heatmapWidth, h = heatmapHeight;
        heatmap.submit("Heatmap of " + t.name(), m -> session.read(() -> HeatmapSampler.sample(t, w, h, m)));
    }

    /** Stops all analyses; called when the model's tab closes. */
    public void cancelAll() {
        stats.reset();
        histogram.reset();
        channelRanges.reset();
        heatmap.reset();
    }

    public ModelSession session() { return session; }

    public ObjectProperty<TensorInfo> selectedProperty() { return selected; }

    public StringProperty filterProperty() { return filter; }

    public IntegerProperty binsProperty() { return bins; }

    public BooleanProperty logCountsProperty() { return logCounts; }

    public BackgroundJob<TensorStats> stats() { return stats; }

    public BackgroundJob<Histogram> histogram() { return histogram; }

    public BackgroundJob<ChannelRanges> channelRanges() { return channelRanges; }

    public BackgroundJob<Heatmap> heatmap() { return heatmap; }

    public Activity activity() { return activity; }
}
