package dev.quantscope.app.overview;

import dev.quantscope.app.common.Activity;
import dev.quantscope.app.common.BackgroundJob;
import dev.quantscope.app.document.ModelSession;
import dev.quantscope.format.Model;
import dev.quantscope.stats.ModelSummary;

import java.util.List;
import java.util.concurrent.Executor;

/** The model overview: headline facts straight from the model, the summary from the stats engine. */
public final class OverviewViewModel {
    private final ModelSession session;
    private final BackgroundJob<ModelSummary> summary;
    private final Activity activity;
    private final List<MetadataRow> metadata;

    public OverviewViewModel(ModelSession session, Executor executor) {
        this.session = session;
        this.summary = new BackgroundJob<>(executor);
        this.activity = new Activity(List.of(summary));
        this.metadata = MetadataRows.of(session.model().metadata());
    }

    /** Starts the summary; cheap (no tensor data is read) but still off the FX thread, like all engine work. */
    public void load() {
        summary.submit("Summarising model", _ -> session.read(() -> session.stats().summary()));
    }

    public Model model() { return session.model(); }

    public BackgroundJob<ModelSummary> summary() { return summary; }

    public Activity activity() { return activity; }

    public List<MetadataRow> metadata() { return metadata; }

    public void cancelAll() { summary.reset(); }
}
