package dev.quantscope.app.shell;

import dev.quantscope.failure.FailureDescriber;
import dev.quantscope.app.document.ModelDocument;
import dev.quantscope.format.Model;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The window's state: open models, the one in front, models being opened, and recent files. Opening happens on
 * the worker pool; the FX thread only receives the finished {@link Model} (or the reason it failed).
 */
public final class ShellViewModel {
    private final Executor executor;
    private final RecentFiles recent;
    private final ObservableList<ModelDocument> documents = FXCollections.observableArrayList();
    private final ObjectProperty<ModelDocument> active = new SimpleObjectProperty<>();
    private final ObservableList<OpenTask> opening = FXCollections.observableArrayList();
    private final BooleanBinding busy = Bindings.isNotEmpty(opening);
    private final ReadOnlyStringWrapper openingMessage = new ReadOnlyStringWrapper("");
    private Consumer<OpenFailure> onFailure = _ -> { };

    public ShellViewModel(Executor executor, RecentFiles recent) {
        this.executor = executor;
        this.recent = recent;
        opening.addListener((javafx.collections.ListChangeListener<OpenTask>) _ -> openingMessage.set(
                opening.isEmpty() ? "" : opening.getFirst().getTitle()
                        + (opening.size() > 1 ? "  (+" + (opening.size() - 1) + " more)" : "")));
    }

    /** Where open failures are reported; the view shows them as dialogs. */
    public void setOnFailure(Consumer<OpenFailure> handler) { this.onFailure = handler; }

    /** Opens {@code path} in a new tab, or brings its tab to the front if it is already open. */
    public void open(Path path) {
        Path p = path.toAbsolutePath().normalize();
        Optional<ModelDocument> existing = documents.stream().filter(d -> d.source().toAbsolutePath().normalize()
                .equals(p)).findFirst();
        if (existing.isPresent()) {
            active.set(existing.get());
            return;
        }
        if (opening.stream().anyMatch(t -> t.path().equals(p))) return;
        OpenTask task = new OpenTask(p);
        task.setOnSucceeded(_ -> {
            opening.remove(task);
            Model model = task.take();
            if (model == null) return;
            ModelDocument doc = new ModelDocument(model, executor);
            documents.add(doc);
            active.set(doc);
            recent.add(p);
            // Show something right away: the first tensor's analyses start while the user looks at the tree.
            if (!model.tensors().isEmpty()) doc.explorer().selectedProperty().set(model.tensors().getFirst());
        });
        task.setOnFailed(_ -> {
            opening.remove(task);
            onFailure.accept(new OpenFailure(p, FailureDescriber.describe(task.getException())));
        });
        task.setOnCancelled(_ -> {
            opening.remove(task);
            task.discard();
        });
        opening.add(task);
        executor.execute(task);
    }

    public void openAll(List<Path> paths) { paths.forEach(this::open); }

    public void cancelOpening() { List.copyOf(opening).forEach(OpenTask::cancel); }

    public void close(ModelDocument doc) {
        if (!documents.remove(doc)) return;
        doc.close();
        if (active.get() == doc) active.set(documents.isEmpty() ? null : documents.getLast());
    }

    public void closeAll() { List.copyOf(documents).forEach(this::close); }

    public ObservableList<ModelDocument> documents() { return documents; }

    public ObjectProperty<ModelDocument> activeProperty() { return active; }

    public RecentFiles recent() { return recent; }

    public BooleanBinding busyProperty() { return busy; }

    public ReadOnlyStringProperty openingMessageProperty() { return openingMessage.getReadOnlyProperty(); }
}
