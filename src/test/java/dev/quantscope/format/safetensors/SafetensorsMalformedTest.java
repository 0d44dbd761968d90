package dev.quantscope.format.safetensors;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.ModelOpener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.quantscope.format.safetensors.SafetensorsTestWriter.f32;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.raw;
import static dev.quantscope.format.safetensors.SafetensorsTestWriter.withDeclaredLength;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A corpus of broken and hostile safetensors files, index files and folders. Each must be refused with a
 * {@link ModelFormatException} that names the offending file and field; nothing else may escape.
 */
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    /** What to open, which file name the error must mention, and which field it must blame. */
    record Target(Path open, String mustName, String field) {}

    @FunctionalInterface
    interface Setup {
        Target create(Path dir) throws IOException;
    }

    private static byte[] validFile() {
        return new SafetensorsTestWriter()
                .metadata("format", "pt")
                .tensor("a", "F32", new long[] {2, 2}, f32(1, 2, 3, 4))
                .tensor("b", "F16", new long[] {3}, new byte[6])
                .toBytes();
    }

    /** A single file with the given bytes. */
    private static Arguments file(String label, String field, byte[] content) {
        Setup s = d -> {
            Path p = d.resolve(label.replaceAll("[^A-Za-z0-9]+", "-") + ".safetensors");
            Files.write(p, content);
            return new Target(p, p.getFileName().toString(), field);
        };
        return Arguments.of(label, s);
    }

    /** A single file whose header is {@code json} (followed by {@code dataBytes} zero bytes). */
    private static Arguments header(String label, String field, String json, int dataBytes) {
        return file(label, field, raw(json, new byte[dataBytes]));
    }

    private static String nested(int depth) {
        return "{\"__metadata__\": {\"x\": " + "[".repeat(depth) + "]".repeat(depth) + "}}";
    }

    /** A folder holding two valid shards and an index with the given weight_map body. */
    private static Arguments index(String label, String field, String weightMapJson) {
        Setup s = d -> {
            Path folder = Files.createDirectories(d.resolve("m"));
            new SafetensorsTestWriter().tensor("a", "F32", new long[] {1}, f32(1)).write(folder.resolve("s1.safetensors"));
            new SafetensorsTestWriter().tensor("b", "F32", new long[] {1}, f32(2)).write(folder.resolve("s2.safetensors"));
            // a perfectly valid file outside the folder, so only the path check can stop it
            new SafetensorsTestWriter().tensor("secret", "F32", new long[] {1}, f32(3)).write(d.resolve("escape.safetensors"));
            Path idx = folder.resolve("model.safetensors.index.json");
            Files.writeString(idx, weightMapJson);
            return new Target(folder, "model.safetensors.index.json", field);
        };
        return Arguments.of(label, s);
    }

    static Stream<Arguments> corpus() {
        byte[] valid = validFile();
        long headerLen = valid[0] & 0xFF; // small header: fits in the low byte
        return Stream.of(
                file("zero-length file", "header length", new byte[0]),
                file("truncated inside the length", "header length", Arrays.copyOf(valid, 5)),
                file("truncated inside the header", "header length", Arrays.copyOf(valid, 8 + (int) headerLen / 2)),
                file("truncated inside the data", "data_offsets", Arrays.copyOf(valid, valid.length - 3)),
                file("huge header length", "header length", withDeclaredLength(1L << 40, "{}".getBytes(StandardCharsets.UTF_8))),
                file("header length 2^64-1", "header length", withDeclaredLength(-1L, "{}".getBytes(StandardCharsets.UTF_8))),
                file("header length over the limit", "header length", withDeclaredLength(101L << 20, new byte[64])),
                file("header length past end of file", "header length", withDeclaredLength(100, "{}".getBytes(StandardCharsets.UTF_8))),
                file("header length one", "header", withDeclaredLength(1, "{}".getBytes(StandardCharsets.UTF_8))),
                header("not JSON", "header", "hello world!", 0),
                header("JSON array", "header", "[1, 2, 3]", 0),
                header("JSON string", "header", "\"abc\"", 0),
                header("data after the object", "header", "{} {}", 0),
                header("unterminated object", "header", "{\"a\": {\"dtype\": \"F32\"", 0),
                file("invalid UTF-8 in a name", "header", invalidUtf8Header()),
                header("entry not an object", "tensor 'a'", "{\"a\": 5}", 0),
                header("missing dtype", "dtype", "{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4),
                header("dtype not a string", "dtype", "{\"a\": {\"dtype\": 7, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4),
                header("unknown dtype", "dtype", "{\"a\": {\"dtype\": \"F128\", \"shape\": [1], \"data_offsets\": [0, 16]}}", 16),
                header("lower-case dtype", "dtype", "{\"a\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4),
                header("missing shape", "shape", "{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4),
                header("shape not an array", "shape", "{\"a\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}", 4),
                header("negative dim", "shape[0]", "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4),
                header("fractional dim", "shape[0]", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 10]}}", 10),
                header("string dim", "shape[1]", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1, \"2\"], \"data_offsets\": [0, 8]}}", 8),
                header("nine dims", "shape", "{\"a\": {\"dtype\": \"U8\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 1]}}", 1),
                header("overflowing dims", "shape", "{\"a\": {\"dtype\": \"U8\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 1]}}", 1),
                header("dim beyond 64 bits", "shape[0]", "{\"a\": {\"dtype\": \"U8\", \"shape\": [100000000000000000000000], \"data_offsets\": [0, 1]}}", 1),
                header("byte size overflows", "shape", "{\"a\": {\"dtype\": \"F64\", \"shape\": [2147483648, 1073741824], \"data_offsets\": [0, 8]}}", 8),
                header("missing data_offsets", "data_offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4),
                header("three data_offsets", "data_offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 8),
                header("begin after end", "data_offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [4, 0]}}", 4),
                header("offsets past end of file", "data_offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8),
                header("offsets far past end of file", "data_offsets", "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [9223372036854775800, 9223372036854775804]}}", 8),
                header("offset beyond 64 bits", "data_offsets[1]", "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 18446744073709551620]}}", 8),
                header("negative offset", "data_offsets[0]", "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [-4, 0]}}", 8),
                header("span smaller than the shape", "data_offsets", "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 8),
                header("span larger than the shape", "data_offsets", "{\"a\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8),
                header("duplicate tensor names", "header", "{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]},"
                        + " \"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [1, 2]}}", 2),
                header("F4 with an odd element count", "shape", "{\"a\": {\"dtype\": \"F4\", \"shape\": [3], \"data_offsets\": [0, 2]}}", 2),
                header("F6 not filling whole bytes", "shape", "{\"a\": {\"dtype\": \"F6_E2M3\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2),
                header("__metadata__ not an object", "__metadata__", "{\"__metadata__\": \"pt\"}", 0),
                header("nesting bomb", "header", nested(5000), 0),
                index("index escapes with ..", "weight_map 'a'", "{\"weight_map\": {\"a\": \"../escape.safetensors\"}}"),
                index("index escapes with an absolute path", "weight_map 'a'", "{\"weight_map\": {\"a\": \"/etc/passwd\"}}"),
                index("index escapes through a subfolder", "weight_map 'a'", "{\"weight_map\": {\"a\": \"sub/../../escape.safetensors\"}}"),
                index("index names the folder itself", "weight_map 'a'", "{\"weight_map\": {\"a\": \".\"}}"),
                index("index with empty shard name", "weight_map 'a'", "{\"weight_map\": {\"a\": \"\"}}"),
                index("index without weight_map", "weight_map", "{\"metadata\": {}}"),
                index("index weight_map not an object", "weight_map", "{\"weight_map\": [\"s1.safetensors\"]}"),
                index("index shard name not a string", "weight_map 'a'", "{\"weight_map\": {\"a\": 1}}"),
                index("index names a missing shard", "weight_map", "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s3.safetensors\"}}"),
                index("index puts a tensor in the wrong shard", "weight_map 'b'", "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\"}}"),
                index("index names a tensor no shard has", "weight_map 'c'", "{\"weight_map\": {\"a\": \"s1.safetensors\", \"c\": \"s2.safetensors\"}}"),
                index("index with duplicate entries", "file", "{\"weight_map\": {\"a\": \"s1.safetensors\", \"a\": \"s2.safetensors\"}}"),
                index("index not JSON", "file", "weight_map = a"),
                Arguments.of("corrupt shard behind an index", (Setup) d -> {
                    Path folder = Files.createDirectories(d.resolve("m"));
                    byte[] good = new SafetensorsTestWriter().tensor("a", "F32", new long[] {4}, f32(1, 2, 3, 4)).toBytes();
                    Files.write(folder.resolve("s1.safetensors"), Arrays.copyOf(good, good.length - 1));
                    Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"s1.safetensors\"}}");
                    return new Target(folder, "s1.safetensors", "data_offsets");
                }),
                Arguments.of("same tensor in two loose files", (Setup) d -> {
                    Path folder = Files.createDirectories(d.resolve("m"));
                    new SafetensorsTestWriter().tensor("w", "F32", new long[] {1}, f32(1)).write(folder.resolve("x1.safetensors"));
                    new SafetensorsTestWriter().tensor("w", "F32", new long[] {1}, f32(2)).write(folder.resolve("x2.safetensors"));
                    return new Target(folder, "x2.safetensors", "tensor 'w'");
                }),
                Arguments.of("malformed config.json", (Setup) d -> {
                    Path folder = Files.createDirectories(d.resolve("m"));
                    new SafetensorsTestWriter().tensor("w", "F32", new long[] {1}, f32(1)).write(folder.resolve("model.safetensors"));
                    Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"Llama\"");
                    return new Target(folder, "config.json", "file");
                }),
                Arguments.of("config.json not an object", (Setup) d -> {
                    Path folder = Files.createDirectories(d.resolve("m"));
                    new SafetensorsTestWriter().tensor("w", "F32", new long[] {1}, f32(1)).write(folder.resolve("model.safetensors"));
                    Files.writeString(folder.resolve("config.json"), "[]");
                    return new Target(folder, "config.json", "file");
                }),
                Arguments.of("malformed tokenizer.json", (Setup) d -> {
                    Path folder = Files.createDirectories(d.resolve("m"));
                    new SafetensorsTestWriter().tensor("w", "F32", new long[] {1}, f32(1)).write(folder.resolve("model.safetensors"));
                    Files.writeString(folder.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 1,,}}}");
                    return new Target(folder, "tokenizer.json", "file");
                }),
                Arguments.of("two index files in a folder", (Setup) d -> {
                    Path folder = Files.createDirectories(d.resolve("twoidx"));
                    Files.writeString(folder.resolve("a.safetensors.index.json"), "{\"weight_map\": {}}");
                    Files.writeString(folder.resolve("b.safetensors.index.json"), "{\"weight_map\": {}}");
                    return new Target(folder, "twoidx", "weights");
                }));
    }

    /** {"\xff\xfe": 1}: a name that is not UTF-8. */
    private static byte[] invalidUtf8Header() {
        byte[] json = {'{', '"', (byte) 0xFF, (byte) 0xFE, '"', ':', ' ', '1', '}'};
        byte[] out = new byte[8 + json.length];
        out[0] = (byte) json.length;
        System.arraycopy(json, 0, out, 8, json.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRefusedWithACleanError(String label, Setup setup) throws IOException {
        Target t = setup.create(dir);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> {
            try (Model m = ModelOpener.open(t.open())) {
                fail(label + " opened with " + m.tensors().size() + " tensors");
            }
        });
        assertTrue(e.getMessage().contains(t.mustName()), label + ": message does not name " + t.mustName() + ": " + e.getMessage());
        assertTrue(e.field().contains(t.field()), label + ": field '" + e.field() + "' is not about " + t.field());
    }

    @Test
    void errorsCarryTheByteOffsetOfTheBadEntry() throws IOException {
        String json = "{\"good\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}, "
                + "\"bad\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [1, 2]}}";
        Path p = dir.resolve("offset.safetensors");
        Files.write(p, raw(json, new byte[2]));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsReader.open(p));
        assertEquals("tensor 'bad' data_offsets", e.field());
        assertEquals(8 + json.indexOf("\"bad\""), e.offset());
        assertTrue(e.getMessage().contains("at byte " + e.offset()), e.getMessage());
    }

    @Test
    void everyTruncationOfAValidFileIsRefused() throws IOException {
        byte[] valid = validFile();
        Path p = dir.resolve("cut.safetensors");
        for (int len = 0; len < valid.length; len++) {
            Files.write(p, Arrays.copyOf(valid, len));
            int n = len;
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsReader.open(p),
                    "truncated to " + n + " bytes");
            assertTrue(e.getMessage().contains("cut.safetensors"));
        }
    }

    /** Random corruption of the length and header may yield a valid file, but never any other exception. */
    @Test
    void corruptedHeadersOpenOrFailCleanly() throws IOException {
        byte[] valid = validFile();
        int headerEnd = 8 + (valid[0] & 0xFF);
        Random rnd = new Random(20240611);
        Path p = dir.resolve("fuzz.safetensors");
        int refused = 0;
        for (int round = 0; round < 400; round++) {
            byte[] b = valid.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int k = 0; k < flips; k++) b[rnd.nextInt(headerEnd)] = (byte) rnd.nextInt(256);
            Files.write(p, b);
            try (Model m = SafetensorsReader.open(p)) {
                assertTrue(m.tensors().size() <= 2);
            } catch (ModelFormatException e) {
                refused++;
                assertTrue(e.getMessage().contains("fuzz.safetensors"), e.getMessage());
            }
        }
        assertTrue(refused > 0, "some corruption must be detected");
    }

    @Test
    void shardNamesResolveInsideTheFolderOnly() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("f")).toAbsolutePath();
        Path idx = folder.resolve("model.safetensors.index.json");
        assertEquals(folder.resolve("sub/x.safetensors"), ShardIndex.shardPath(idx, folder, "w", 0, "sub/x.safetensors"));
        assertEquals(folder.resolve("x.safetensors"), ShardIndex.shardPath(idx, folder, "w", 0, "./x.safetensors"));
        for (String bad : List.of("../x.safetensors", "/abs.safetensors", "a/../../x", "..", "", ".", "a\0b")) {
            assertThrows(ModelFormatException.class, () -> ShardIndex.shardPath(idx, folder, "w", 0, bad), bad);
        }
    }
}
