package dev.quantscope.cli;

import dev.quantscope.pipeline.prune.PruneCalibration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code --text FILE [--calibration-tokens N] [--ctx N]}: the calibration text of the pruning commands, and how much
 * of it runs, in windows of {@code --ctx} tokens as eval and imatrix cut a text.
 */
public final class CalibrationOptions {

    @Option(names = "--text", paramLabel = "FILE", description = "Calibration text: Wanda and SparseGPT prune block by "
            + "block from its activations; structured pruning ranks units, groups and blocks with it.")
    Path text;

    @Mixin
    CalibrationTokensOption tokens;

    /** The window: the one {@code --ctx} every command that runs a model over a text has. */
    @Mixin
    ContextOption context;

    /** The calibration these options describe (no text: none). */
    PruneCalibration calibration() throws IOException {
        PruneCalibration c = PruneCalibration.NONE.withWindow(context.ctx, tokens.tokens);
        return text == null ? c : c.withText(readText());
    }

    /** The text, or one line naming the file and why it cannot be read. */
    String readText() throws IOException {
        try {
            return Files.readString(text, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read calibration text " + text + ": no such file");
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException("cannot read calibration text " + text + ": it is not UTF-8 text");
        }
    }
}
