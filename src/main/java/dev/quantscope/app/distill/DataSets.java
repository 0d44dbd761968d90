package dev.quantscope.app.distill;

import dev.quantscope.app.document.ClassifierData.IdxPair;
import dev.quantscope.engine.classifier.InputScaling;
import dev.quantscope.engine.classifier.LabeledImages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The IDX data sets the page has read, kept so that a second estimate or run does not read and decompress the same
 * 60,000 images again (a few seconds, and 190 MB as floats). Only the most recent few are kept. Pixels are scaled to
 * [0, 1] ({@link InputScaling#UNIT}), as ggml's MNIST MLP and the students trained here expect. Thread-safe.
 */
final class DataSets {
    /** The training and the validation split, and one more for a change of mind. */
    private static final int KEPT = 3;

    private final Map<IdxPair, LabeledImages> read = new LinkedHashMap<>(4, 0.75f, true);

    /** The first {@code limit} examples of the pair's data set (all of them for 0 or a limit above its size). */
    LabeledImages first(IdxPair pair, int limit) {
        LabeledImages all = all(pair);
        return limit <= 0 || limit >= all.count() ? all : all.slice(0, limit);
    }

    private LabeledImages all(IdxPair pair) {
        synchronized (read) {
            LabeledImages kept = read.get(pair);
            if (kept != null) return kept;
        }
        LabeledImages loaded;
        try {
            loaded = LabeledImages.read(pair.images(), pair.labels(), InputScaling.UNIT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (read) {
            read.put(pair, loaded);
            while (read.size() > KEPT) read.remove(read.keySet().iterator().next());
        }
        return loaded;
    }
}
