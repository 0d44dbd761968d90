package dev.quantscope.app;

import dev.quantscope.app.shell.RecentFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ExplorerRecentFilesTest {
    private final Preferences node = Preferences.userRoot().node("dev/quantscope/tests/recent-" + UUID.randomUUID());

    @AfterEach
    void removeNode() throws Exception {
        node.removeNode();
    }

    @Test
    void newestFirstWithoutDuplicatesAndKeptAcrossRuns() {
        RecentFiles recent = new RecentFiles(node);
        recent.add(Path.of("/models/a.gguf"));
        recent.add(Path.of("/models/b.gguf"));
        recent.add(Path.of("/models/./a.gguf"));
        assertEquals(List.of(Path.of("/models/a.gguf"), Path.of("/models/b.gguf")), recent.paths());

        RecentFiles nextRun = new RecentFiles(node);
        assertEquals(recent.paths(), nextRun.paths());
        nextRun.remove(Path.of("/models/b.gguf"));
        assertEquals(List.of(Path.of("/models/a.gguf")), new RecentFiles(node).paths());
    }

    @Test
    void keepsOnlyTheTenMostRecent() {
        RecentFiles recent = new RecentFiles(node);
        for (int i = 0; i < 15; i++) recent.add(Path.of("/models/m" + i + ".gguf"));
        assertEquals(10, recent.paths().size());
        assertEquals(Path.of("/models/m14.gguf"), recent.paths().getFirst());
        assertEquals(Path.of("/models/m5.gguf"), recent.paths().getLast());
        assertEquals(10, new RecentFiles(node).paths().size());
    }
}
