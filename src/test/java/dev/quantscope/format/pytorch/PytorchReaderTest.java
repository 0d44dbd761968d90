package dev.quantscope.format.pytorch;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormat;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.Layouts;
import dev.quantscope.tensor.Shape;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.quantscope.format.pytorch.Checkpoints.*;
import static org.junit.jupiter.api.Assertions.*;

class PytorchReaderTest {
    static final Path SHARED = Path.of(System.getProperty("quantscope.shared", "../shared"));
    static final Path MNIST = SHARED.resolve("models/ggml-mnist-mlp.state_dict");

    @TempDir Path dir;

    @Test
    void readsGgmlMnistStateDict() throws Exception {
        try (Model m = PytorchReader.open(MNIST)) {
            assertEquals(ModelFormat.PYTORCH, m.format());
            assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                    m.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(Shape.rowMajor(500, 784), m.tensor("fc1.weight").orElseThrow().shape());
            assertEquals(Shape.rowMajor(500), m.tensor("fc1.bias").orElseThrow().shape());
            assertEquals(Shape.rowMajor(10, 500), m.tensor("fc2.weight").orElseThrow().shape());
            assertEquals(Shape.rowMajor(10), m.tensor("fc2.bias").orElseThrow().shape());
            for (TensorInfo t : m.tensors()) assertEquals(DType.F32, t.dtype(), t.name());
            assertEquals(784L * 500 + 500 + 500 * 10 + 10, m.parameterCount());
            assertEquals(4 * m.parameterCount(), m.tensorBytes());

            // Expected values read independently with python3: zipfile.read('mnist/data/0') + struct.unpack('<6f').
            TensorInfo w1 = m.tensor("fc1.weight").orElseThrow();
            float[] first = new float[6];
            for (int i = 0; i < 6; i++) first[i] = w1.data().getAtIndex(Layouts.F32, i);
            assertArrayEquals(new float[] {0.012964981608092785f, 0.003441189182922244f, -0.028706377372145653f,
                    0.02237842045724392f, 0.0022721546702086926f, 0.02440381981432438f}, first);
            assertEquals(0.018979359418153763f, decode(w1)[499 * 784 + 783]); // last element
            assertArrayEquals(new float[] {-0.1008339375257492f, -0.11790362000465393f, -0.05584445223212242f,
                    -0.06261196732521057f, 0.038473423570394516f, -0.022233864292502403f, 0.018772350624203682f,
                    -0.1296379417181015f, 0.15073642134666443f, 0.003258026670664549f},
                    decode(m.tensor("fc2.bias").orElseThrow()));
            assertEquals(0.19316934049129486f, decode(m.tensor("fc1.bias").orElseThrow())[0]);
            assertEquals(-0.019723905250430107f, decode(m.tensor("fc2.weight").orElseThrow())[0]);

            Map<String, Object> meta = m.metadata();
            assertEquals("mnist", meta.get("pytorch.archive_prefix"));
            assertEquals("3", meta.get("pytorch.version"));
            assertFalse(meta.containsKey("pytorch.byteorder"), "this older save has no byteorder record");
            assertEquals(2L, meta.get("pytorch.pickle_protocol"));
            assertEquals(List.of("cuda:0"), meta.get("pytorch.devices"));
            assertFalse(meta.containsKey("pytorch.noncontiguous_copied"));
            assertEquals(2, m.layers().size());
        }
    }

    @Test
    void modelOpenerDispatchesZipCheckpoints() throws Exception {
        try (Model m = ModelOpener.open(MNIST)) {
            assertEquals(ModelFormat.PYTORCH, m.format());
            assertEquals(4, m.tensors().size());
        }
    }

    @Test
    void closingTheModelUnmapsTheFile() throws Exception {
        Model m = PytorchReader.open(MNIST);
        TensorInfo t = m.tensors().getFirst();
        m.close();
        assertThrows(IllegalStateException.class, () -> t.data().get(Layouts.F32, 0));
    }

    @Test
    void nestedCheckpointIsFlattenedWithDottedNamesAndScalarsBecomeMetadata() throws Exception {
        byte[] pkl = new PickleWriter().proto(2).op('}').mark()
                .str("model").orderedDict().mark()
                    .str("enc.weight").tensorV2("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1})
                    .str("enc.bias").tensorV2("FloatStorage", "1", 2, 0, new long[] {2}, new long[] {1})
                .op('u')
                .str("optimizer").op('}').mark()
                    .str("state").op('}').integer(0).op('}').str("step").tensorV2("FloatStorage", "2", 1, 0, new long[] {}, new long[] {}).op('s').op('s')
                    .str("param_groups").op(']').op('}').str("lr").binfloat(0.001).op('s').op('a')
                .op('u')
                .str("epoch").integer(7)
                .str("run").str("baseline")
                .str("done").op(0x88)
                .str("nothing").op('N')
                .op('u').stop().bytes();
        Path p = write(dir, "ckpt.pt", pkl, storages("0", floats(1, 2, 3, 4, 5, 6), "1", floats(-1, -2), "2", floats(42)));
        try (Model m = PytorchReader.open(p)) {
            assertEquals(List.of("model.enc.weight", "model.enc.bias", "optimizer.state.0.step"),
                    m.tensors().stream().map(TensorInfo::name).toList());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, decode(m.tensor("model.enc.weight").orElseThrow()));
            assertEquals(Shape.rowMajor(), m.tensor("optimizer.state.0.step").orElseThrow().shape());
            assertArrayEquals(new float[] {42}, decode(m.tensor("optimizer.state.0.step").orElseThrow()));
            assertEquals(7L, m.metadata().get("epoch"));
            assertEquals("baseline", m.metadata().get("run"));
            assertEquals(true, m.metadata().get("done"));
            assertEquals(0.001, m.metadata().get("optimizer.param_groups.0.lr"));
            assertFalse(m.metadata().containsKey("nothing"));
            assertEquals("little", m.metadata().get("pytorch.byteorder"));
            assertEquals("archive", m.metadata().get("pytorch.archive_prefix"));
        }
    }

    @Test
    void zip64ArchiveIsRead() throws Exception {
        Path p = write(dir, "z64.pt", oneTensor(4, 0, new long[] {2, 2}, new long[] {2, 1}),
                storages("0", floats(0.5f, 1.5f, 2.5f, 3.5f)), true);
        assertZipReadableByPython(p);
        try (Model m = PytorchReader.open(p)) {
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, decode(m.tensor("w").orElseThrow()));
            assertEquals(4, ((PytorchCheckpoint) m.details()).entries().size());
        }
    }

    @Test
    void storageOffsetsSelectTheRightElementsOfASharedStorage() throws Exception {
        byte[] pkl = new PickleWriter().proto(2).orderedDict().mark()
                .str("a").tensorV2("FloatStorage", "0", 8, 2, new long[] {3}, new long[] {1})
                .str("b").tensorV2("FloatStorage", "0", 8, 4, new long[] {2, 2}, new long[] {2, 1})
                .op('u').stop().bytes();
        Path p = write(dir, "shared.pt", pkl, storages("0", floats(0, 1, 2, 3, 4, 5, 6, 7)));
        try (Model m = PytorchReader.open(p)) {
            assertArrayEquals(new float[] {2, 3, 4}, decode(m.tensor("a").orElseThrow()));
            assertArrayEquals(new float[] {4, 5, 6, 7}, decode(m.tensor("b").orElseThrow()));
        }
    }

    @Test
    void nonContiguousTensorsAreCopiedInRowMajorOrderAndReported() throws Exception {
        // storage [0..5] as a 2x3 matrix, saved transposed: shape (3, 2), strides (1, 3); plus a stride-0 expand
        // and a plain contiguous one.
        byte[] pkl = new PickleWriter().proto(2).orderedDict().mark()
                .str("t").tensorV2("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3})
                .str("e").tensorV2("FloatStorage", "1", 2, 0, new long[] {3, 2}, new long[] {0, 1})
                .str("c").tensorV2("FloatStorage", "0", 6, 0, new long[] {1, 6}, new long[] {99, 1})
                .op('u').stop().bytes();
        Path p = write(dir, "strided.pt", pkl, storages("0", floats(0, 1, 2, 3, 4, 5), "1", floats(7, 8)));
        try (Model m = PytorchReader.open(p)) {
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, decode(m.tensor("t").orElseThrow()));
            assertArrayEquals(new float[] {7, 8, 7, 8, 7, 8}, decode(m.tensor("e").orElseThrow()));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, decode(m.tensor("c").orElseThrow()));
            assertEquals(List.of("t", "e"), m.metadata().get("pytorch.noncontiguous_copied"));
        }
    }

    @Test
    void protocolFourFormsAndNewerRebuildFunctionsAreUnderstood() throws Exception {
        // FRAME, MEMOIZE, STACK_GLOBAL, BINGET of memoised globals, _rebuild_parameter, _rebuild_tensor_v3 with an
        // UntypedStorage and a dtype object, and HalfStorage / LongStorage / BFloat16Storage.
        PickleWriter w = new PickleWriter().proto(4).op(0x95).u64(0)
                .stackGlobal("collections", "OrderedDict").op(0x94).op(')').op('R').op(0x94).mark()
                .str("p").stackGlobal("torch._utils", "_rebuild_parameter").op(0x94) // memo 2
                .stackGlobal("torch._utils", "_rebuild_tensor_v2").op(0x94) // memo 3
                .mark().persistent("HalfStorage", "h", 3).integer(0).ints(3).ints(1).op(0x89).get(0).op(')').op('R')
                .op('t').op('R')
                .op(0x88).get(0).op(')').op('R').op(0x87).op('R')
                .str("v3").stackGlobal("torch._utils", "_rebuild_tensor_v3")
                .mark();
        w.mark().str("storage").stackGlobal("torch", "UntypedStorage").str("u").str("cpu").integer(8).op('t').op('Q');
        w.integer(1).ints(2).ints(1).op(0x89).get(0).op(')').op('R').stackGlobal("torch", "float16").op('t').op('R')
                .str("ids").get(3).mark().persistent("LongStorage", "l", 2).integer(0).ints(2).ints(1).op(0x89)
                .get(0).op(')').op('R').op('t').op('R')
                .str("bf").get(3).mark().persistent("BFloat16Storage", "b", 1).integer(0).ints(1).ints(1).op(0x89)
                .get(0).op(')').op('R').op('t').op('R')
                .op('u').stop();
        byte[] longs = new byte[16];
        longs[0] = 5;
        longs[8] = (byte) 0xFF;
        for (int i = 9; i < 16; i++) longs[i] = (byte) 0xFF; // -1
        Path p = write(dir, "p4.pth", w.bytes(), storages("h", halves(1, -2, 0.5f), "u", halves(9, 10, 11, 12),
                "l", longs, "b", new byte[] {(byte) 0x80, 0x3F}));
        try (Model m = PytorchReader.open(p)) {
            assertEquals(DType.F16, m.tensor("p").orElseThrow().dtype());
            assertArrayEquals(new float[] {1, -2, 0.5f}, decode(m.tensor("p").orElseThrow()));
            assertEquals(DType.F16, m.tensor("v3").orElseThrow().dtype());
            assertArrayEquals(new float[] {10, 11}, decode(m.tensor("v3").orElseThrow()));
            assertEquals(DType.I64, m.tensor("ids").orElseThrow().dtype());
            assertArrayEquals(new float[] {5, -1}, decode(m.tensor("ids").orElseThrow()));
            assertEquals(DType.BF16, m.tensor("bf").orElseThrow().dtype());
            assertArrayEquals(new float[] {1}, decode(m.tensor("bf").orElseThrow()));
            assertEquals(4L, m.metadata().get("pytorch.pickle_protocol"));
        }
    }

    @Test
    void deflatedPickleIsInflatedButDeflatedStoragesAreRefused() throws Exception {
        byte[] pkl = oneTensor(2, 0, new long[] {2}, new long[] {1});
        Path ok = writeZip(dir, "deflated-pkl.pt", List.of(TestZip.Member.deflated("archive/data.pkl", pkl),
                TestZip.Member.stored("archive/data/0", floats(3, 4))), false);
        try (Model m = PytorchReader.open(ok)) {
            assertArrayEquals(new float[] {3, 4}, decode(m.tensor("w").orElseThrow()));
        }
        Path bad = writeZip(dir, "deflated-storage.pt", List.of(TestZip.Member.stored("archive/data.pkl", pkl),
                TestZip.Member.deflated("archive/data/0", floats(3, 4))), false);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PytorchReader.open(bad));
        assertTrue(e.getMessage().contains("compressed"), e.getMessage());
        assertEquals("zip entry 'archive/data/0'", e.field());
    }

    @Test
    void legacyBigEndianAndTorchScriptFilesAreRefusedWithReasons() throws Exception {
        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new PickleWriter().proto(2).integer(0x1950a86a20f9469cL).stop().bytes());
        assertTrue(assertThrows(ModelFormatException.class, () -> PytorchReader.open(legacy)).getMessage().contains("legacy (non-zip)"));

        Path big = writeZip(dir, "big.pt", List.of(
                TestZip.Member.stored("archive/data.pkl", oneTensor(1, 0, new long[] {1}, new long[] {1})),
                TestZip.Member.stored("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII)),
                TestZip.Member.stored("archive/data/0", floats(1))), false);
        assertTrue(assertThrows(ModelFormatException.class, () -> PytorchReader.open(big)).getMessage().contains("big-endian"));

        Path script = writeZip(dir, "script.pt", List.of(
                TestZip.Member.stored("archive/data.pkl", oneTensor(1, 0, new long[] {1}, new long[] {1})),
                TestZip.Member.stored("archive/code/__torch__.py", "x".getBytes(StandardCharsets.US_ASCII))), false);
        assertTrue(assertThrows(ModelFormatException.class, () -> PytorchReader.open(script)).getMessage().contains("TorchScript"));
    }

    /** Our hand-written ZIP64 must be a real ZIP64: python's zipfile reads it back, sizes and CRCs checked. */
    private static void assertZipReadableByPython(Path zip) throws Exception {
        Process p = new ProcessBuilder("python3", "-c",
                "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; "
                        + "print(','.join(i.filename+':'+str(i.file_size) for i in z.infolist()))", zip.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("archive/data/0:16"), out);
    }
}
