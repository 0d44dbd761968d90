package dev.quantscope.app.document;

import dev.quantscope.app.common.Async;
import dev.quantscope.app.accuracy.AccuracyViewModel;
import dev.quantscope.app.compress.CompressViewModel;
import dev.quantscope.app.distill.DistillViewModel;
import dev.quantscope.app.explorer.ExplorerViewModel;
import dev.quantscope.app.generate.GenerateViewModel;
import dev.quantscope.app.generate.VariantChoice;
import dev.quantscope.app.overview.OverviewViewModel;
import dev.quantscope.app.prune.PruneViewModel;
import dev.quantscope.app.tradeoff.TradeoffViewModel;
import dev.quantscope.app.tradeoff.classifier.ClassifierTradeoffViewModel;
import dev.quantscope.format.Model;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.nio.file.Path;
import java.util.concurrent.Executor;

/** One open model in its tab: the shared session and the view models of its pages. */
public final class ModelDocument {
    private final ModelSession session;
    private final ExplorerViewModel explorer;
    private final OverviewViewModel overview;
    private final CompressViewModel compress;
    private final PruneViewModel prune;
    private final GenerateViewModel generate;
    private final TradeoffViewModel tradeoff;
    private final ClassifierExports classifierExports = new ClassifierExports();
    private final ClassifierData classifierData;
    private final OpenClassifier classifier;
    private final AccuracyViewModel accuracy;
    private final ClassifierTradeoffViewModel classifierTradeoff;
    private final DistillViewModel distill;
    /** The page a page asked to show (its tab id); the shell selects it. */
    private final ObjectProperty<String> requestedPage = new SimpleObjectProperty<>();

    public static final String GENERATE_PAGE = "generatePage";
    public static final String PRUNE_PAGE = "prunePage";
    public static final String DISTILL_PAGE = "distillPage";

    public ModelDocument(Model model, Executor executor) {
        this.session = new ModelSession(model);
        this.classifierData = new ClassifierData(model.source());
        this.explorer = new ExplorerViewModel(session, executor);
        this.overview = new OverviewViewModel(session, executor);
        this.compress = new CompressViewModel(session, executor);
        this.prune = new PruneViewModel(session, executor);
        this.generate = new GenerateViewModel(session, executor);
        this.tradeoff = new TradeoffViewModel(session, executor);
        this.classifier = new OpenClassifier(session);
        classifier.stateProperty().addListener((_, _, state) -> {
            if (state instanceof Async.Done<?>) classifierData.offerBundledTestSet();
        });
        this.accuracy = new AccuracyViewModel(classifier, classifierData, executor);
        this.classifierTradeoff = new ClassifierTradeoffViewModel(classifier, classifierData, classifierExports,
                accuracy::scaling, executor);
        this.distill = new DistillViewModel(session, classifier, classifierData, classifierExports, executor);
        tradeoff.setTryInGenerate(id -> {
            generate.variantProperty().set(VariantChoice.parse(id));
            requestedPage.set(GENERATE_PAGE);
        });
    }

    public Model model() { return session.model(); }

    public Path source() { return session.model().source(); }

    public String title() {
        Path name = source().getFileName();
        return name == null ? source().toString() : name.toString();
    }

    public ExplorerViewModel explorer() { return explorer; }

    public OverviewViewModel overview() { return overview; }

    public CompressViewModel compress() { return compress; }

    public PruneViewModel prune() { return prune; }

    public GenerateViewModel generate() { return generate; }

    public TradeoffViewModel tradeoff() { return tradeoff; }

    public ClassifierExports classifierExports() { return classifierExports; }

    public ClassifierData classifierData() { return classifierData; }

    /** The open model as a classifier: loaded in the background when the document opens. */
    public OpenClassifier classifier() { return classifier; }

    /** Whether the model is a classifier (false until its weights are read; see {@link #classifier()}). */
    public boolean isClassifier() { return classifier.classifier().isPresent(); }

    public AccuracyViewModel accuracy() { return accuracy; }

    public ClassifierTradeoffViewModel classifierTradeoff() { return classifierTradeoff; }

    public DistillViewModel distill() { return distill; }

    public ObjectProperty<String> requestedPageProperty() { return requestedPage; }

    /**
     * Cancels the pages' work and unmaps the file once the last reader is out. The wait happens on its own
     * thread so the FX thread never blocks on a worker that is finishing a chunk.
     */
    public void close() {
        explorer.cancelAll();
        overview.cancelAll();
        compress.cancelAll();
        prune.cancelAll();
        generate.cancelAll();
        tradeoff.cancelAll();
        accuracy.cancelAll();
        classifierTradeoff.cancelAll();
        distill.cancelAll();
        // The generation page's temporary variants go once no run reads them, i.e. after the session's readers.
        Thread.ofVirtual().name("close-" + title()).start(() -> {
            session.close();
            generate.dispose();
        });
    }
}
