package dev.quantscope.format.pytorch;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.quantscope.format.pytorch.Checkpoints.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A corpus of broken and hostile checkpoints, each built here. Every one must fail with a ModelFormatException
 * naming the file (never another exception, a hang or an OutOfMemoryError), and the message must say why.
 */
class PytorchMalformedTest {
    /**
     * Only a guard against a hang (a cycle walked forever), never a speed check: on a loaded machine a refusal may
     * take its time.
     */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @TempDir Path dir;
    private int counter;

    /** Opens {@code p} expecting a refusal whose message contains every fragment. */
    private ModelFormatException refused(Path p, String... fragments) {
        Throwable t = assertTimeoutPreemptively(HANG_GUARD, () -> {
            try {
                PytorchReader.open(p).close();
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        assertNotNull(t, p + " was accepted");
        if (!(t instanceof ModelFormatException e)) {
            throw new AssertionError("expected ModelFormatException, got " + t, t);
        }
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        return e;
    }

    /** A checkpoint whose pickle is {@code pkl}, with storage "0" holding four floats 1..4. */
    private Path withPickle(byte[] pkl) throws Exception {
        return write(dir, "case" + (counter++) + ".pt", pkl, storages("0", floats(1, 2, 3, 4)));
    }

    private static PickleWriter p2() { return new PickleWriter().proto(2); }

    // ---- code-execution attempts ----

    @Test
    void globalPosixSystemIsRefusedWithItsNameFieldAndOffset() throws Exception {
        Path p = withPickle(p2().global("posix", "system").str("touch /tmp/pwned").op(0x85).op('R').stop().bytes());
        ModelFormatException e = refused(p, "refuses to load global posix.system", "opcode GLOBAL");
        assertEquals("data.pkl", e.field());
        // archive/data.pkl is the first member: 30-byte local header + 16-byte name, then PROTO 2 (2 bytes).
        assertEquals(30 + 16 + 2, e.offset());
    }

    @Test
    void stackGlobalOsSystemIsRefused() throws Exception {
        Path p = withPickle(new PickleWriter().proto(4).stackGlobal("os", "system").str("id").op(0x85).op('R').stop().bytes());
        assertEquals("data.pkl", refused(p, "refuses to load global os.system", "opcode STACK_GLOBAL").field());
    }

    @Test
    void otherDangerousGlobalsAndInstantiationFormsAreRefused() throws Exception {
        byte[] inst = p2().mark().str("print(1)").op('i').raw("builtins\neval\n".getBytes()).stop().bytes();
        refused(withPickle(inst), "refuses to load global builtins.eval", "opcode INST");
        refused(withPickle(p2().global("__builtin__", "getattr").stop().bytes()), "__builtin__.getattr");
        refused(withPickle(p2().global("torch", "load").stop().bytes()), "refuses to load global torch.load");
        refused(withPickle(p2().global("torch.storage", "_load_from_bytes").stop().bytes()), "torch.storage._load_from_bytes");
        refused(withPickle(p2().global("subprocess", "Popen").stop().bytes()), "subprocess.Popen");
        // A hostile global hidden where a state_dict has its storage class.
        byte[] hidden = p2().orderedDict().mark().str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("nt", "system").str("0").str("cpu").integer(4).op('t').op('Q')
                .stop().bytes();
        refused(withPickle(hidden), "refuses to load global nt.system");
        // Control characters in a name do not reach the message raw.
        ModelFormatException e = refused(withPickle(p2().global("os\u001b[31m", "system").stop().bytes()), "os?[31m.system");
        assertFalse(e.getMessage().contains("\u001b"));
    }

    @Test
    void whitelistedObjectsCannotBeMisused() throws Exception {
        refused(withPickle(p2().global("torch", "FloatStorage").op(')').op('R').stop().bytes()), "cannot be called");
        refused(withPickle(p2().global("torch", "float16").op(')').op('R').stop().bytes()), "cannot be called");
        refused(withPickle(p2().str("x").op(')').op('R').stop().bytes()), "not callable");
        refused(withPickle(p2().orderedDict().str("notatuple").op('R').stop().bytes()), "argument tuple");
        refused(withPickle(p2().mark().str("storage").str("x").str("0").str("cpu").integer(1).op('t').op('Q').stop().bytes()),
                "not a torch storage class");
        refused(withPickle(p2().str("notatuple").op('Q').stop().bytes()), "persistent id must be");
        refused(withPickle(p2().op(']').str("k").str("v").op('s').stop().bytes()), "SETITEM needs a dict");
        refused(withPickle(p2().op('}').str("v").op('a').stop().bytes()), "APPEND needs a list");
        refused(withPickle(p2().str("x").op(')').op('b').stop().bytes()), "BUILD on string");
        refused(withPickle(p2().global("torch._utils", "_rebuild_tensor_v2").mark().integer(1).op('t').op('R').stop().bytes()),
                "takes 6 or 7 arguments");
    }

    // ---- truncation ----

    @Test
    void truncatedZipArchivesAreRefused() throws Exception {
        byte[] full = Files.readAllBytes(PytorchReaderTest.MNIST);
        for (int len : new int[] {0, 3, 4, 21, 22, 100, 1000, 615, 800_000, full.length / 2, full.length - 600,
                full.length - 100, full.length - 23, full.length - 22, full.length - 1}) {
            Path p = dir.resolve("cut-" + len + ".state_dict");
            Files.write(p, Arrays.copyOf(full, len));
            refused(p);
        }
        ModelFormatException e = refused(dir.resolve("cut-1000.state_dict"), "end-of-central-directory");
        assertEquals("zip end record", e.field());
    }

    @Test
    void everyTruncationOfAPickleIsRefused() throws Exception {
        byte[] pkl = new PickleWriter().proto(2).orderedDict().put(0).mark()
                .str("w").tensorV2("FloatStorage", "0", 4, 0, new long[] {2, 2}, new long[] {2, 1})
                .op('u').stop().bytes();
        try (Model m = PytorchReader.open(withPickle(pkl))) {
            assertEquals(1, m.tensors().size(), "the untruncated pickle is valid");
        }
        for (int len = 0; len < pkl.length; len++) {
            refused(withPickle(Arrays.copyOf(pkl, len)), "data.pkl");
        }
        refused(withPickle(p2().orderedDict().bytes()), "ends without a STOP");
    }

    @Test
    void randomlyCorruptedCheckpointsNeverFailWithAnotherException() throws Exception {
        byte[] pkl = new PickleWriter().proto(2).orderedDict().put(0).mark()
                .str("a").tensorV2("FloatStorage", "0", 4, 0, new long[] {2, 2}, new long[] {2, 1})
                .str("b").tensorV2("FloatStorage", "0", 4, 1, new long[] {3}, new long[] {1})
                .op('u').stop().bytes();
        byte[] good = TestZip.write(List.of(TestZip.Member.stored("archive/data.pkl", pkl),
                TestZip.Member.stored("archive/data/0", floats(1, 2, 3, 4))), true);
        Random rnd = new Random(12345);
        int accepted = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] bad = good.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
            Path p = dir.resolve("fuzz-" + i + ".pt");
            Files.write(p, bad);
            try {
                PytorchReader.open(p).close();
                accepted++; // a flip inside tensor data or a name is harmless
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains(p.toString()));
                // The reader's last-resort net must not be what caught it: an explicit check should have.
                assertNull(expected.getCause(), expected.getMessage());
            }
        }
        assertTrue(accepted < 1000, "corruption must be noticed at least sometimes");
    }

    // ---- storages ----

    @Test
    void missingStorageAndViewsPastTheStorageAreRefused() throws Exception {
        byte[] missing = p2().orderedDict().mark().str("w").tensorV2("FloatStorage", "7", 4, 0, new long[] {4}, new long[] {1})
                .op('u').stop().bytes();
        assertEquals("archive/data/7", refused(withPickle(missing), "storage '7'", "no such entry").field());

        refused(withPickle(oneTensor(4, 3, new long[] {2}, new long[] {1})), "past its end");
        refused(withPickle(oneTensor(4, 0, new long[] {5}, new long[] {1})), "past its end");
        refused(withPickle(oneTensor(4, 0, new long[] {2, 2}, new long[] {10, 1})), "past its end");
        // An empty tensor reads no bytes, wherever its offset points, as in torch.
        try (Model m = PytorchReader.open(withPickle(oneTensor(4, 9, new long[] {0}, new long[] {1})))) {
            assertEquals(0, m.tensor("w").orElseThrow().byteSize());
        }
        // The pickle declares more elements than the stored entry holds.
        assertEquals("archive/data/0", refused(withPickle(oneTensor(100, 0, new long[] {100}, new long[] {1})),
                "holds 16 bytes", "100 F32 elements").field());
        refused(withPickle(oneTensor(4, 0, new long[] {-1}, new long[] {1})), "size[0] is negative");
        refused(withPickle(oneTensor(4, 0, new long[] {2}, new long[] {-1})), "stride[0] is negative");
    }

    @Test
    void hugeExpandsAreRefusedBeforeAllocating() throws Exception {
        // A stride-0 expand of one float to 2^20 x 2^10: legal for torch, 4 GB if materialised.
        refused(withPickle(oneTensor(1, 0, new long[] {1 << 20, 1 << 10}, new long[] {0, 0})), "non-contiguous", "bytes");
    }

    // ---- huge counts ----

    @Test
    void hugeLengthsAndCountsAreRefused() throws Exception {
        refused(withPickle(p2().op('X').u32(0xFFFFFFFFL).stop().bytes()), "needs 4294967295 more bytes");
        refused(withPickle(p2().op(0x8e).u64(Long.MAX_VALUE).stop().bytes()), "more bytes", "truncated");
        refused(withPickle(p2().op(0x8d).u64(-1L).stop().bytes()), "too large");
        refused(withPickle(p2().op(0x95).u64(1L << 40).stop().bytes()), "frame of");
        refused(withPickle(p2().op(0x8b).u32(0x7FFFFFFF).stop().bytes()), "integer of 2147483647 bytes");
        refused(withPickle(p2().op('T').u32(0x80000000L).stop().bytes()), "negative");
        refused(withPickle(oneTensor(4, 0, new long[] {1L << 40, 1L << 40}, new long[] {1, 1})), "sizes overflow");
        refused(withPickle(oneTensor(Long.MAX_VALUE / 2, 0, new long[] {1}, new long[] {1})), "overflows");
        refused(withPickle(oneTensor(1L << 40, 0, new long[] {1}, new long[] {1})), "holds 16 bytes");
        refused(withPickle(oneTensor(4, 0, new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1})),
                "at most 8");
        refused(withPickle(p2().global("x".repeat(300), "y").stop().bytes()), "no newline");
    }

    @Test
    void hugeOrInconsistentZipDirectoriesAreRefused() throws Exception {
        byte[] good = TestZip.write(List.of(TestZip.Member.stored("archive/data.pkl", oneTensor(4, 0, new long[] {4}, new long[] {1})),
                TestZip.Member.stored("archive/data/0", floats(1, 2, 3, 4))), false);
        int eocd = good.length - 22;

        byte[] count = good.clone();
        le16(count, eocd + 8, 0xFFFE);
        le16(count, eocd + 10, 0xFFFE);
        refused(file("count.pt", count), "cannot fit");

        byte[] cdOffset = good.clone();
        le32(cdOffset, eocd + 16, 0xFFFFFF00L);
        refused(file("cdoffset.pt", cdOffset), "runs past");

        byte[] saturated = good.clone();
        le32(saturated, eocd + 16, 0xFFFFFFFFL);
        refused(file("saturated.pt", saturated), "ZIP64 locator is missing");

        byte[] z64 = TestZip.write(List.of(TestZip.Member.stored("archive/data.pkl", oneTensor(4, 0, new long[] {4}, new long[] {1})),
                TestZip.Member.stored("archive/data/0", floats(1, 2, 3, 4))), true);
        int locator = z64.length - 22 - 20;
        byte[] badLocator = z64.clone();
        le64(badLocator, locator + 8, Long.MAX_VALUE);
        refused(file("locator.pt", badLocator), "zip64 locator");
        byte[] hugeCount = z64.clone();
        le64(hugeCount, z64.length - 22 - 20 - 56 + 32, 1L << 50);
        le64(hugeCount, z64.length - 22 - 20 - 56 + 24, 1L << 50);
        refused(file("z64count.pt", hugeCount), "cannot fit");

        // A central entry whose local header offset points into the middle of nowhere.
        byte[] local = good.clone();
        int cd = (int) ByteBuffer.wrap(good, eocd + 16, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        le32(local, cd + 42, 7);
        refused(file("local.pt", local), "local header");

        refused(file("random.pt", new Random(1).ints(4096, 0, 256).collect(() -> new java.io.ByteArrayOutputStream(),
                (o, b) -> o.write(b), (a, b) -> { }).toByteArray()), "end-of-central-directory");
        refused(Checkpoints.writeZip(dir, "nopkl.pt", List.of(TestZip.Member.stored("archive/data/0", floats(1))), false),
                "no <prefix>/data.pkl");
        refused(Checkpoints.writeZip(dir, "twopkl.pt", List.of(TestZip.Member.stored("a/data.pkl", new byte[] {'.'}),
                TestZip.Member.stored("b/data.pkl", new byte[] {'.'})), false), "2 data.pkl members");
        refused(Checkpoints.writeZip(dir, "dup.pt", List.of(TestZip.Member.stored("a/data.pkl", new byte[] {'.'}),
                TestZip.Member.stored("a/data.pkl", new byte[] {'.'})), false), "appears twice");
    }

    // ---- opcodes and memo ----

    @Test
    void badOpcodesAreRefused() throws Exception {
        refused(withPickle(p2().op(0xFF).bytes()), "unknown opcode 0xff");
        refused(withPickle(p2().op('I').raw("1\n".getBytes()).stop().bytes()), "opcode INT is not supported");
        refused(withPickle(p2().op(0x97).stop().bytes()), "NEXT_BUFFER is not supported");
        refused(withPickle(new PickleWriter().proto(9).stop().bytes()), "protocol 9");
        refused(withPickle(p2().stop().bytes()), "stack underflow");
        refused(withPickle(p2().op('t').stop().bytes()), "no MARK");
        refused(withPickle(p2().str("x").mark().str("k").str("v").op('u').stop().bytes()), "SETITEMS needs a dict, found string");
        refused(withPickle(p2().op('}').mark().str("k").op('u').stop().bytes()), "odd number of items");
    }

    @Test
    void memoIndicesOutOfRangeAreRefused() throws Exception {
        refused(withPickle(p2().get(5).stop().bytes()), "memo index 5 was never stored");
        refused(withPickle(p2().op(']').put(0).op('j').u32(0xFFFFFFFFL).stop().bytes()), "memo index 4294967295");
        refused(withPickle(p2().put(0).stop().bytes()), "stack underflow"); // BINPUT of nothing
    }

    // ---- nesting, cycles and work ----

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheJavaStack() throws Exception {
        int depth = 100_000;
        PickleWriter nested = p2();
        for (int i = 0; i < depth; i++) nested.op(']');
        for (int i = 1; i < depth; i++) nested.op('a');
        refused(withPickle(nested.stop().bytes()), "nested deeper than 32");

        PickleWriter dicts = p2();
        for (int i = 0; i < 40; i++) dicts.op('}').str("k");
        dicts.str("leaf");
        for (int i = 0; i < 40; i++) dicts.op('s');
        refused(withPickle(dicts.stop().bytes()), "nested deeper than 32");

        PickleWriter marks = p2();
        for (int i = 0; i < 100_000; i++) marks.mark();
        refused(withPickle(marks.stop().bytes()), "nested MARKs");

        PickleWriter dups = p2().op(']');
        for (int i = 0; i < 1_100_000; i++) dups.op('2');
        refused(withPickle(dups.stop().bytes()), "stack deeper than");
    }

    @Test
    void cyclesAndUnhashableKeysNeitherHangNorOverflow() throws Exception {
        // l = []; l.append(l); d = {"self": d, "l": l}: each container is walked once.
        byte[] cyclic = p2().op('}').put(1).str("self").get(1).op('s').str("l").op(']').put(0).get(0).op('a').op('s')
                .stop().bytes();
        try (Model m = assertTimeoutPreemptively(HANG_GUARD, () -> PytorchReader.open(withPickle(cyclic)))) {
            assertEquals(0, m.tensors().size());
        }
        // ([],) as a dict key: Python would refuse it, and hashing a self-containing list would recurse.
        byte[] key = p2().op('}').op(']').put(0).get(0).op('a').op('0').get(0).op(0x85).str("v").op('s').stop().bytes();
        refused(withPickle(key), "dict key of type tuple");
    }

    @Test
    void excessiveWorkIsRefused() throws Exception {
        PickleWriter w = p2();
        for (int i = 0; i < 2_200_000; i++) w.op('N').op('0');
        refused(withPickle(w.op('N').stop().bytes()), "operations");
    }

    @Test
    void tensorsFlatteningToTheSameNameAreRefused() throws Exception {
        byte[] pkl = p2().op('}').mark()
                .str("a.b").tensorV2("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .str("a").op('}').str("b").tensorV2("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1}).op('s')
                .op('u').stop().bytes();
        refused(withPickle(pkl), "two tensors are both named 'a.b'");
    }

    private Path file(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static void le16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }

    private static void le32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    private static void le64(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) b[at + i] = (byte) (v >>> (8 * i));
    }
}
