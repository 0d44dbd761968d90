package dev.quantscope.app.shell;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/** The most recently opened models, newest first, kept across runs in {@link Preferences}. */
public final class RecentFiles {
    static final int MAX = 10;
    private static final String KEY = "recent.";
    private static final System.Logger LOG = System.getLogger(RecentFiles.class.getName());

    private final Preferences node;
    private final ObservableList<Path> paths = FXCollections.observableArrayList();

    public RecentFiles(Preferences node) {
        this.node = node;
        for (int i = 0; i < MAX; i++) {
            String s = node.get(KEY + i, null);
            if (s == null) break;
            try {
                paths.add(Path.of(s));
            } catch (InvalidPathException e) {
                // A path written on another system: skip it rather than fail at startup.
            }
        }
    }

    public ObservableList<Path> paths() { return FXCollections.unmodifiableObservableList(paths); }

    /** Moves {@code path} to the front. */
    public void add(Path path) {
        Path p = path.toAbsolutePath().normalize();
        List<Path> next = new ArrayList<>(paths);
        next.remove(p);
        next.addFirst(p);
        while (next.size() > MAX) next.removeLast();
        paths.setAll(next);
        save();
    }

    public void remove(Path path) {
        if (paths.remove(path.toAbsolutePath().normalize())) save();
    }

    public void clear() {
        paths.clear();
        save();
    }

    private void save() {
        for (int i = 0; i < MAX; i++) {
            if (i < paths.size()) node.put(KEY + i, paths.get(i).toString());
            else node.remove(KEY + i);
        }
        try {
            node.flush();
        } catch (BackingStoreException e) {
            // Losing the recent list is an inconvenience, not an error worth a dialog.
            LOG.log(System.Logger.Level.WARNING, "cannot save recent files", e);
        }
    }
}
