package dev.quantscope.app.compress;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.prefs.Preferences;

/**
 * Where the export dialog starts: the folder the user last exported to, else the input model's own folder. The
 * input's folder is passed over when it lies inside the program's own files (the bundled sample model): an export
 * there would be lost with the next build or update, so the user's home is proposed instead.
 */
public final class ExportFolders {
    static final String LAST_FOLDER = "lastExportFolder";

    private final Preferences node;
    private final Optional<Path> programTree;

    /**
     * @param node        where the last export folder is kept across runs
     * @param programTree the folder holding the program's files, or empty when it cannot be told
     */
    ExportFolders(Preferences node, Optional<Path> programTree) {
        this.node = node;
        this.programTree = programTree.map(p -> p.toAbsolutePath().normalize());
    }

    /** The user's preferences, and the program's files found from where this class was loaded. */
    public static ExportFolders standard() {
        return new ExportFolders(Preferences.userNodeForPackage(ExportFolders.class), programTree());
    }

    /** The folder to propose for an export of {@code input}. */
    public Path initialFor(Path input) {
        String last = node.get(LAST_FOLDER, "");
        if (!last.isBlank()) {
            Path p = Path.of(last);
            if (Files.isDirectory(p)) return p;
        }
        Path folder = input.toAbsolutePath().normalize().getParent();
        if (folder == null || programTree.map(folder::startsWith).orElse(false)) {
            return Path.of(System.getProperty("user.home"));
        }
        return folder;
    }

    /** Remembers the folder of {@code exported} for the next export, in this run and later ones. */
    public void remember(Path exported) {
        Path folder = exported.toAbsolutePath().normalize().getParent();
        if (folder != null) node.put(LAST_FOLDER, folder.toString());
    }

    /**
     * The folder above the one the program's classes come from: the checkout for {@code target/quantscope.jar} or
     * {@code target/classes}, the installation for an installed jar.
     */
    private static Optional<Path> programTree() {
        try {
            var source = ExportFolders.class.getProtectionDomain().getCodeSource();
            if (source == null) return Optional.empty();
            Path parent = Path.of(source.getLocation().toURI()).getParent();
            return Optional.ofNullable(parent == null ? null : parent.getParent());
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
