package dev.quantscope.eval.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.engine.EngineBuild;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Measured sweep points kept on disk, one small JSON file per point, so that a sweep run again (or extended by
 * one scheme) returns the points it already has at once. A point is found by everything its figures depend on:
 * the model's bytes, the scheme, the text, the window size and count, the latency run's length and threads, and
 * the engine that measured it ({@link EngineBuild}: a faster build must not show the old build's speed). An
 * unreadable or mismatching file is a miss, never an error: the cache only ever saves time.
 */
public final class SweepCache {

    /** System property naming the cache folder (tests point it at a temporary folder). */
    public static final String DIRECTORY_PROPERTY = "quantscope.sweep.cache";
    static final String FORMAT = "quantscope.sweep-point/2";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory; // null: disabled

    public SweepCache(Path directory) {
        this.directory = Objects.requireNonNull(directory);
    }

    private SweepCache() {
        this.directory = null;
    }

    /** A cache that stores nothing and finds nothing. */
    public static SweepCache disabled() { return new SweepCache(); }

    /** {@value #DIRECTORY_PROPERTY} if set, else $XDG_CACHE_HOME/quantscope/sweeps, else ~/.cache/quantscope/sweeps. */
    public static SweepCache atDefaultLocation() {
        String property = System.getProperty(DIRECTORY_PROPERTY);
        if (property != null && !property.isBlank()) return new SweepCache(Path.of(property));
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new SweepCache(root.resolve("quantscope").resolve("sweeps"));
    }

    public Optional<Path> directory() { return Optional.ofNullable(directory); }

    /**
     * What a point's figures depend on.
     *
     * @param imatrixSha256 the identity of the importance matrix the scheme was quantized with ({@link
     *                      SweepImatrix#identity()}), or "" for none: a point with an importance matrix is never
     *                      taken for one without, nor for one with another matrix
     * @param calibrationSha256 the identity of the calibration a Wanda or SparseGPT point was pruned from
     *                      ({@link SweepCalibration#identity}), or "" when the point does not depend on one
     */
    public record Key(String modelSha256, String schemeId, String imatrixSha256, String textSha256, int ctx, int chunks,
                      int promptTokens, int generatedTokens, int threads, String engine, String calibrationSha256) {
        public Key {
            Objects.requireNonNull(modelSha256);
            Objects.requireNonNull(schemeId);
            Objects.requireNonNull(imatrixSha256);
            Objects.requireNonNull(textSha256);
            Objects.requireNonNull(engine);
            Objects.requireNonNull(calibrationSha256);
        }

        /** A point that depends on no calibration. */
        public Key(String modelSha256, String schemeId, String imatrixSha256, String textSha256, int ctx, int chunks,
                   int promptTokens, int generatedTokens, int threads, String engine) {
            this(modelSha256, schemeId, imatrixSha256, textSha256, ctx, chunks, promptTokens, generatedTokens, threads,
                    engine, "");
        }

        /** The same point pruned from the calibration {@code identity}. */
        public Key withCalibration(String identity) {
            return new Key(modelSha256, schemeId, imatrixSha256, textSha256, ctx, chunks, promptTokens,
                    generatedTokens, threads, engine, identity);
        }

        /** Measured by this engine ({@link EngineBuild#identity()}). */
        public Key(String modelSha256, String schemeId, String imatrixSha256, String textSha256, int ctx, int chunks,
                   int promptTokens, int generatedTokens, int threads) {
            this(modelSha256, schemeId, imatrixSha256, textSha256, ctx, chunks, promptTokens, generatedTokens, threads,
                    EngineBuild.identity());
        }

        /** A file name from a digest of all fields: scheme ids hold characters file systems dislike. */
        String fileName() {
            String all = String.join("\n", modelSha256, schemeId, textSha256, Integer.toString(ctx),
                    Integer.toString(chunks), Integer.toString(promptTokens), Integer.toString(generatedTokens),
                    "threads " + threads, "engine " + engine);
            if (!imatrixSha256.isEmpty()) all += "\nimatrix " + imatrixSha256;
            if (!calibrationSha256.isEmpty()) all += "\ncalibration " + calibrationSha256;
            return sha256(all).substring(0, 32) + ".json";
        }
    }

    /** The stored point, re-indexed to {@code index} and marked as coming from the cache. */
    public Optional<SweepPoint.Measured> get(Key key, int index) {
        if (directory == null) return Optional.empty();
        Path file = directory.resolve(key.fileName());
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (!FORMAT.equals(root.path("format").asText()) || !keyOf(root.path("key")).equals(key)) return Optional.empty();
            JsonNode p = root.path("point");
            JsonNode l = p.path("latency"), a = p.path("accuracy");
            Latency latency = new Latency(num(l, "pp_tokens_per_s"), num(l, "tg_tokens_per_s"),
                    l.path("pp_tokens").asInt(), l.path("tg_tokens").asInt(), l.path("threads").asInt(),
                    spread(l.path("pp_spread")), spread(l.path("tg_spread")));
            Accuracy accuracy = new Accuracy(num(a, "kld_mean"), num(a, "kld_median"), num(a, "kld_p90"),
                    num(a, "kld_p99"), num(a, "kld_max"), num(a, "same_top_p"), num(a, "ppl"), num(a, "ppl_base"),
                    a.path("tokens").asLong(), a.path("chunks").asInt());
            return Optional.of(new SweepPoint.Measured(index, key.schemeId(), p.path("label").asText(key.schemeId()),
                    !key.imatrixSha256().isEmpty(), p.path("bytes").asLong(), num(p, "bpw"), latency, accuracy, true, 0));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** Stores {@code point} under {@code key} (temporary file, then rename, so a reader never sees half a file). */
    public void put(Key key, SweepPoint.Measured point) throws IOException {
        if (directory == null) return;
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode k = root.putObject("key");
        k.put("model_sha256", key.modelSha256());
        k.put("scheme", key.schemeId());
        if (!key.imatrixSha256().isEmpty()) k.put("imatrix_sha256", key.imatrixSha256());
        if (!key.calibrationSha256().isEmpty()) k.put("calibration_sha256", key.calibrationSha256());
        k.put("text_sha256", key.textSha256());
        k.put("ctx", key.ctx());
        k.put("chunks", key.chunks());
        k.put("pp_tokens", key.promptTokens());
        k.put("tg_tokens", key.generatedTokens());
        k.put("threads", key.threads());
        k.put("engine", key.engine());
        ObjectNode p = root.putObject("point");
        p.put("label", point.label());
        p.put("bytes", point.bytes());
        p.put("bpw", point.bitsPerWeight());
        ObjectNode l = p.putObject("latency");
        l.put("pp_tokens_per_s", point.latency().promptTokensPerSecond());
        l.put("tg_tokens_per_s", point.latency().generationTokensPerSecond());
        l.put("pp_tokens", point.latency().promptTokens());
        l.put("tg_tokens", point.latency().generatedTokens());
        l.put("threads", point.latency().threads());
        writeSpread(l.putObject("pp_spread"), point.latency().promptSpread());
        writeSpread(l.putObject("tg_spread"), point.latency().generationSpread());
        Accuracy acc = point.accuracy();
        ObjectNode a = p.putObject("accuracy");
        a.put("kld_mean", acc.kldMean());
        a.put("kld_median", acc.kldMedian());
        a.put("kld_p90", acc.kldP90());
        a.put("kld_p99", acc.kldP99());
        a.put("kld_max", acc.kldMax());
        a.put("same_top_p", acc.sameTopP());
        a.put("ppl", acc.ppl());
        a.put("ppl_base", acc.pplBase());
        a.put("tokens", acc.tokens());
        a.put("chunks", acc.chunks());
        Files.createDirectories(directory);
        Path file = directory.resolve(key.fileName());
        Path tmp = Files.createTempFile(directory, ".point", ".tmp");
        try {
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Key keyOf(JsonNode k) {
        // A file written before sweeps had importance matrices has no imatrix_sha256: it holds a plain point. One
        // written before points carried their engine has none, and matches no key (it is measured again).
        return new Key(k.path("model_sha256").asText(), k.path("scheme").asText(), k.path("imatrix_sha256").asText(""),
                k.path("text_sha256").asText(), k.path("ctx").asInt(), k.path("chunks").asInt(), k.path("pp_tokens").asInt(),
                k.path("tg_tokens").asInt(), k.path("threads").asInt(), k.path("engine").asText(""),
                k.path("calibration_sha256").asText(""));
    }

    /**
     * Writes a speed's spread the way the cache and {@code sweep --json} hold it: {@code q1} and {@code q3} (tokens
     * per second: the quartiles of the timed runs) and {@code runs}.
     */
    public static void writeSpread(ObjectNode to, RateSpread s) {
        to.put("q1", s.lowerQuartile());
        to.put("q3", s.upperQuartile());
        to.put("runs", s.runs());
    }

    private static RateSpread spread(JsonNode s) {
        JsonNode runs = s.get("runs");
        if (runs == null || !runs.isInt()) throw new IllegalStateException("missing runs");
        return new RateSpread(num(s, "q1"), num(s, "q3"), runs.asInt());
    }

    /** A number that must be there: a missing one makes the file unreadable (a miss), not a zero. */
    private static double num(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) throw new IllegalStateException("missing " + field);
        return v.asDouble();
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
