package dev.quantscope.format.onnx;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.ModelOpener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static dev.quantscope.format.onnx.Proto.*;
import static org.junit.jupiter.api.Assertions.*;

/** Broken and hostile ONNX files, all built here: each must fail with a ModelFormatException naming the file. */
@Timeout(120)
class OnnxMalformedTest {
    @TempDir
    Path dir;

    private Path file(byte[] bytes) throws Exception {
        Path f = dir.resolve("bad.onnx");
        Files.write(f, bytes);
        return f;
    }

    private ModelFormatException refuse(byte[] bytes, String fragment) throws Exception {
        Path f = file(bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.open(f).close());
        assertEquals(f, e.file(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        return e;
    }

    private static byte[] withInitializer(Proto tensor) {
        return model(message().string(2, "g").message(5, tensor));
    }

    private static byte[] cut(Proto p) {
        byte[] b = p.toBytes();
        return Arrays.copyOf(b, b.length - 1);
    }

    /** A valid model touching every message kind the reader parses. */
    private static byte[] everything() {
        Proto sub = message().string(2, "then")
                .message(1, constantNode("c", rawTensor(null, FLOAT, new long[] {2}, floatsLE(3, 4))));
        Proto graph = message().string(2, "main")
                .message(1, message().string(2, "out").string(4, "If")
                        .message(5, message().string(1, "then_branch").varint(20, 5).message(6, sub)))
                .message(5, rawTensor("w", FLOAT, new long[] {2, 2}, floatsLE(1, 2, 3, 4)))
                .message(5, tensor("zp", INT8, 3).packedVarints(5, -1, 0, 1))
                .message(5, tensor("s", FLOAT, 2).packedFloats(4, 0.5f, 0.25f));
        return message().varint(1, 9).string(2, "p")
                .message(8, message().string(1, "").varint(2, 17))
                .message(14, message().string(1, "k").string(2, "v"))
                .message(7, graph).toBytes();
    }

    @Test
    void theReferenceModelIsValid() throws Exception {
        try (Model m = OnnxReader.open(file(everything()))) {
            assertEquals(List.of("w", "zp", "s", "c"), m.tensors().stream().map(t -> t.name()).toList());
        }
    }

    @Test
    void truncatedAtEveryByte() throws Exception {
        byte[] whole = everything();
        for (int n = 0; n < whole.length; n++) {
            Path f = file(Arrays.copyOf(whole, n));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.open(f).close(),
                    "prefix of " + n + " bytes");
            assertEquals(f, e.file());
        }
    }

    @Test
    void truncatedInsideEachMessage() throws Exception {
        Proto tensor = rawTensor("w", FLOAT, new long[] {2}, floatsLE(1, 2));
        Proto subgraph = message().string(2, "sub").message(1, constantNode("c", tensor));
        Proto attribute = message().string(1, "then_branch").varint(20, 5).message(6, subgraph);
        Proto node = message().string(2, "o").string(4, "If").message(5, attribute);
        Proto graph = message().message(1, node).string(2, "g");
        List<Function<Void, byte[]>> cases = List.of(
                v -> message().varint(1, 9).bytes(8, cut(message().string(1, "ai.onnx").varint(2, 17))).message(7, graph).toBytes(),
                v -> message().varint(1, 9).bytes(14, cut(message().string(1, "k").string(2, "v"))).message(7, graph).toBytes(),
                v -> message().varint(1, 9).bytes(7, cut(graph)).toBytes(),
                v -> model(message().bytes(1, cut(node))),
                v -> model(message().message(1, message().string(4, "If").bytes(5, cut(attribute)))),
                v -> model(message().message(1, message().string(4, "If")
                        .message(5, message().string(1, "b").varint(20, 5).bytes(6, cut(subgraph))))),
                v -> model(message().bytes(5, cut(tensor))),
                v -> model(message().message(1, message().string(2, "c").string(4, "Constant")
                        .message(5, message().string(1, "value").bytes(5, cut(tensor))))),
                v -> withInitializer(tensor("e", FLOAT, 1).varint(14, 1)
                        .bytes(13, cut(message().string(1, "location").string(2, "w.bin")))),
                v -> withInitializer(tensor("d", FLOAT).bytes(1, cut(message().rawVarint(2).rawVarint(300)))),
                v -> withInitializer(tensor("p", INT8, 2).bytes(5, cut(message().rawVarint(-1).rawVarint(-2)))));
        for (int i = 0; i < cases.size(); i++) {
            ModelFormatException e = refuse(cases.get(i).apply(null), "");
            assertTrue(e.getMessage().contains("past the end") || e.getMessage().contains("needs")
                    || e.getMessage().contains("holds"), "case " + i + ": " + e.getMessage());
        }
    }

    @Test
    void hugeLengths() throws Exception {
        byte[] huge = message().varint(1, 9).tag(7, 2).rawVarint(1L << 62).raw(new byte[8]).toBytes();
        refuse(huge, "runs past the end of the enclosing message");
        byte[] negative = message().varint(1, 9).tag(7, 2).rawVarint(-1L).toBytes();
        refuse(negative, "length 18446744073709551615");
        // a length that fits the file but not the enclosing tensor message
        Proto tensor = tensor("w", FLOAT, 1).tag(9, 2).rawVarint(4);
        byte[] inner = model(message().message(5, tensor).raw(new byte[16]));
        refuse(inner, "initializer[0].field 9 length");
        // dims claim 2^40 elements but only two values are stored: refused before any allocation
        refuse(withInitializer(tensor("big", FLOAT, 1L << 40).packedFloats(4, 1, 2)), "holds 2 values");
        refuse(withInitializer(tensor("big", INT64, 1L << 30, 1L << 20).packedVarints(7, 0)), "holds 1 values");
    }

    @Test
    void varintTooLongOrOverflowing() throws Exception {
        byte[] eleven = new byte[11];
        Arrays.fill(eleven, (byte) 0xFF);
        refuse(message().raw(eleven).toBytes(), "varint is longer than 10 bytes");
        byte[] nineThenTwo = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        refuse(message().tag(1, 0).raw(nineThenTwo).toBytes(), "graph"); // ir_version -1 is a valid varint: the graph is missing
        byte[] overflow = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02};
        refuse(message().tag(1, 0).raw(overflow).toBytes(), "varint overflows 64 bits");
        refuse(withInitializer(tensor("w", FLOAT).tag(1, 0).raw(eleven)), "varint is longer than 10 bytes");
        refuse(message().tag(1, 0).raw(new byte[] {(byte) 0x80, (byte) 0x80}).toBytes(), "varint runs past the end");
    }

    @Test
    void badWireTypesAndFieldNumbers() throws Exception {
        for (int wire : new int[] {3, 4}) {
            refuse(message().varint(1, 9).tag(20, wire).toBytes(), "groups");
            refuse(withInitializer(tensor("w", FLOAT).tag(12, wire)), "groups");
        }
        for (int wire : new int[] {6, 7}) {
            refuse(message().varint(1, 9).tag(20, wire).toBytes(), "unknown wire type " + wire);
            refuse(model(message().message(1, message().tag(3, wire))), "unknown wire type " + wire);
        }
        refuse(message().tag(0, 0).rawVarint(1).toBytes(), "field number 0 is out of range");
        refuse(message().varint(1, 9).varint(7, 5).toBytes(), "model.graph");        // graph as a varint
        refuse(message().string(1, "nine").message(7, message()).toBytes(), "ir_version"); // ir_version as bytes
        refuse(withInitializer(tensor(null, FLOAT, 1).varint(8, 3)), "name");         // name as a varint
        refuse(withInitializer(tensor("w", FLOAT, 1).varint(9, 4)), "raw_data");      // raw_data as a varint
        refuse(withInitializer(tensor("w", FLOAT, 1).varint(4, 4)), "float_data");    // float_data as a varint
        refuse(withInitializer(tensor("w", FLOAT, 1).varint(13, 4)), "external_data at byte 44: has wire type VARINT");
        refuse(withInitializer(tensor("w", FLOAT, 1).fixed32(1, 4)), "has wire type I32, expected VARINT");
    }

    @Test
    void badDims() throws Exception {
        refuse(withInitializer(tensor("w", FLOAT, 1L << 32, 1L << 32, 1L << 32).bytes(9, new byte[4])), "overflows");
        refuse(withInitializer(tensor("w", FLOAT, 2, -1).bytes(9, new byte[0])), "dimension -1 is negative");
        refuse(withInitializer(tensor("w", FLOAT).packedVarints(1, 2, -3)), "dimension -3 is negative");
        refuse(withInitializer(tensor("w", FLOAT, 1, 1, 1, 1, 1, 1, 1, 1, 1).bytes(9, floatsLE(1))), "more than 8 dimensions");
    }

    @Test
    void badDataTypes() throws Exception {
        refuse(withInitializer(tensor("w", 99, 1).bytes(9, new byte[4])), "unknown data type 99");
        refuse(withInitializer(tensor("w", 0, 1).bytes(9, new byte[4])), "UNDEFINED");
        refuse(withInitializer(tensor("w", 25, 4).bytes(9, new byte[1])), "UINT2");
        refuse(withInitializer(tensor("w", -1, 4).bytes(9, new byte[1])), "unknown data type -1");
        refuse(withInitializer(message().varint(1, 2).string(8, "w").bytes(9, new byte[8])), "data_type");
        refuse(withInitializer(message().varint(1, 1).varint(2, 1L << 33).bytes(9, new byte[4])), "does not fit a 32-bit integer");
    }

    @Test
    void dataThatDoesNotMatchTheDims() throws Exception {
        refuse(withInitializer(rawTensor("w", FLOAT, new long[] {2, 3}, new byte[20])), "holds 20 bytes but dims [2, 3] of FLOAT need 24");
        refuse(withInitializer(rawTensor("w", INT4, new long[] {3}, new byte[1])), "need 2");
        refuse(withInitializer(tensor("w", FLOAT, 2).packedFloats(4, 1, 2, 3)), "holds 3 values");
        refuse(withInitializer(tensor("w", INT8, 2).packedFloats(4, 1, 2)), "cannot hold INT8 values");
        refuse(withInitializer(tensor("w", INT8, 2).packedVarints(5, 1, 300)), "does not fit 8 bits");
        refuse(withInitializer(tensor("w", UINT32, 1).packedVarints(11, 1L << 32)), "does not fit UINT32");
        refuse(withInitializer(tensor("w", FLOAT, 1).bytes(4, new byte[6])), "not a multiple of 4");
        refuse(withInitializer(tensor("w", FLOAT, 3)), "holds no data");
        refuse(withInitializer(rawTensor("w", FLOAT, new long[] {1}, floatsLE(1)).float32(4, 2)), "also holds values");
        refuse(withInitializer(tensor("w", FLOAT, 1).float32(4, 1).packedVarints(5, 1)), "values in both");
        refuse(withInitializer(tensor("w", STRING, 1).bytes(9, new byte[1])), "strings cannot be raw");
        refuse(withInitializer(tensor("w", FLOAT, 1).message(3, message().varint(1, 0))), "segments");
        refuse(withInitializer(tensor("w", FLOAT, 1).varint(14, 7)), "unknown data location 7");
        refuse(withInitializer(tensor(null, FLOAT, 1).bytes(8, new byte[] {(byte) 0xC3, 0x28}).bytes(9, floatsLE(1))),
                "not valid UTF-8");
    }

    @Test
    void externalDataThatEscapesOrOverruns() throws Exception {
        Path outside = Files.createTempDirectory("onnx-outside");
        try {
            Files.write(outside.resolve("secret.bin"), new byte[64]);
            Path modelDir = Files.createDirectories(dir.resolve("model"));
            Files.write(modelDir.resolve("w.bin"), floatsLE(1, 2, 3, 4));
            Files.createSymbolicLink(modelDir.resolve("link.bin"), outside.resolve("secret.bin"));
            Files.createSymbolicLink(modelDir.resolve("linkdir"), outside);
            record Case(String location, String offset, String length, String fragment) {}
            List<Case> cases = List.of(
                    new Case("../x", null, null, "'..' would leave the model's folder"),
                    new Case("../model/w.bin", null, null, "'..'"),
                    new Case("sub/../../x", null, null, "'..'"),
                    new Case("/etc/passwd", null, null, "absolute path '/etc/passwd' refused"),
                    new Case(outside.resolve("secret.bin").toString(), null, null, "absolute path"),
                    new Case("C:\\Windows\\win.ini", null, null, "absolute path"),
                    new Case("\\\\server\\share", null, null, "absolute path"),
                    new Case("link.bin", null, null, "symbolic link leads outside"),
                    new Case("linkdir/secret.bin", null, null, "symbolic link leads outside"),
                    new Case("missing.bin", null, null, "does not exist"),
                    new Case("", null, null, "not a usable file name"),
                    new Case(".", null, null, "not a regular file"),
                    new Case("w.bin", "-1", null, "not a non-negative decimal"),
                    new Case("w.bin", "1e3", null, "not a non-negative decimal"),
                    new Case("w.bin", "99999999999999999999", null, "not a non-negative decimal"),
                    new Case("w.bin", "9223372036854775807", null, "is past the end of the file"),
                    new Case("w.bin", "4", "16", "16 bytes at offset 4 run past the end of the file (16 bytes)"),
                    new Case("w.bin", "4", null, "has 12 bytes in w.bin but dims [4] of FLOAT need 16"),
                    new Case("w.bin", "0", "8", "has 8 bytes"));
            for (Case c : cases) {
                Proto t = tensor("w", FLOAT, 4);
                external(t, "location", c.location());
                if (c.offset() != null) t.message(13, message().string(1, "offset").string(2, c.offset()));
                if (c.length() != null) t.message(13, message().string(1, "length").string(2, c.length()));
                Path f = modelDir.resolve("m.onnx");
                Files.write(f, withInitializer(t));
                ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.open(f).close(),
                        c.toString());
                assertTrue(e.getMessage().contains(c.fragment()), c + ": " + e.getMessage());
                // the error names the model, or the external file together with the model that refers to it
                assertTrue(e.file().equals(f) || e.getMessage().contains(f.toString()), e.getMessage());
            }
            // offset past the end of the external file: named by the external file and the model
            Proto t = external(tensor("w", FLOAT, 1), "location", "w.bin", "offset", "17");
            Path f = modelDir.resolve("m.onnx");
            Files.write(f, withInitializer(t));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> OnnxReader.open(f).close());
            assertEquals(modelDir.resolve("w.bin").toRealPath(), e.file());
            assertTrue(e.getMessage().contains("offset 17 is past the end of the file (16 bytes)"), e.getMessage());
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            // external data without a location, and with inline data too
            refuse(withInitializer(external(tensor("w", FLOAT, 1), "offset", "0")), "has no 'location' key");
            refuse(withInitializer(external(rawTensor("w", FLOAT, new long[] {1}, floatsLE(1)), "location", "w.bin")),
                    "also holds data inline");
        } finally {
            try (var files = Files.walk(outside)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void subgraphsNestedTooDeep() throws Exception {
        Proto g = message().string(2, "leaf");
        for (int i = 0; i < OnnxModelParser.MAX_GRAPH_DEPTH + 2; i++) {
            g = message().message(1, message().string(4, "If")
                    .message(5, message().string(1, "then_branch").varint(20, 5).message(6, g)));
        }
        refuse(model(g), "subgraphs nested deeper than " + OnnxModelParser.MAX_GRAPH_DEPTH);
    }

    @Test
    void notOnnxAtAll() throws Exception {
        refuse(new byte[0], "ir_version");
        refuse("hello world, this is not a model".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "");
        refuse(message().varint(1, 9).toBytes(), "graph");
        refuse(message().message(7, message()).toBytes(), "ir_version");
        refuse(message().varint(1, 9).message(7, message()).message(7, message()).toBytes(), "appears twice");
        // ModelOpener dispatches .onnx files here
        Path f = dir.resolve("x.onnx");
        Files.write(f, new byte[] {0x08});
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelOpener.open(f).close());
        assertEquals(f, e.file());
    }

    /** Random byte flips of a valid model: any outcome but an exception other than ModelFormatException. */
    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws Exception {
        byte[] whole = everything();
        Random random = new Random(20240611L);
        Path f = dir.resolve("fuzz.onnx");
        int refused = 0;
        for (int round = 0; round < 2000; round++) {
            byte[] b = whole.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(b.length);
                b[at] = random.nextInt(3) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            Files.write(f, b);
            try (Model m = OnnxReader.open(f)) {
                assertNotNull(m.tensors());
            } catch (ModelFormatException expected) {
                assertEquals(f, expected.file());
                refused++;
            } catch (Exception | Error other) {
                throw new AssertionError("round " + round + " escaped as " + other + " for bytes "
                        + java.util.HexFormat.of().formatHex(b), other);
            }
        }
        assertTrue(refused > 700, "most corruptions are detected: " + refused);
    }
}
