package dev.quantscope.app.compress;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where the export dialog starts: the last export's folder, else the input's, but never the program's own files. */
class ExportFoldersTest {
    private final Preferences node =
            Preferences.userRoot().node("dev/quantscope/tests/export-folders-" + UUID.randomUUID());

    @AfterEach
    void drop() throws Exception {
        node.removeNode();
    }

    @Test
    void theInputsFolderFirstThenTheLastExportsFolder(@TempDir Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path exports = Files.createDirectories(dir.resolve("exports"));
        ExportFolders folders = new ExportFolders(node, Optional.of(dir.resolve("program")));
        assertEquals(models, folders.initialFor(models.resolve("m.gguf")));
        folders.remember(exports.resolve("m-Q4_K_M.gguf"));
        assertEquals(exports, folders.initialFor(models.resolve("m.gguf")));
        assertEquals(exports, new ExportFolders(node, Optional.empty()).initialFor(models.resolve("m.gguf")),
                "kept across runs");
        Files.delete(exports);
        assertEquals(models, folders.initialFor(models.resolve("m.gguf")), "a folder since removed is passed over");
    }

    @Test
    void aModelInsideTheProgramsFilesExportsToTheHomeFolder(@TempDir Path dir) {
        Path program = dir.resolve("quantscope");
        ExportFolders folders = new ExportFolders(node, Optional.of(program));
        assertEquals(Path.of(System.getProperty("user.home")),
                folders.initialFor(program.resolve("assets/models/stories260K.gguf")));
    }
}
