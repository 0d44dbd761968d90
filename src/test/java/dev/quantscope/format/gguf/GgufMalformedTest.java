package dev.quantscope.format.gguf;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelFormatException;
import dev.quantscope.format.ModelOpener;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** A corpus of broken GGUF files, built here; every one must be refused cleanly, naming the file and field. */
class GgufMalformedTest {
    @TempDir
    Path dir;

    /** A small valid file: two key/values, an array, two tensors. */
    private static byte[] valid() {
        GgufBuilder b = new GgufBuilder().header(3, 2, 3);
        b.kvString("general.architecture", "llama");
        b.kvU32("llama.block_count", 1);
        b.str("tokenizer.ggml.scores").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.FLOAT32.id()).u64(3)
                .f32(0).f32(-1).f32(-2);
        b.tensorInfo("blk.0.a", new long[] {4, 2}, 0, 0);
        b.tensorInfo("blk.0.b", new long[] {32}, 8, 32);
        b.align(32);
        for (int i = 0; i < 8; i++) b.f32(i);
        b.raw(new byte[34]);
        return b.bytes();
    }

    @Test
    void theBaseFileIsValid() throws Exception {
        Path f = write("valid.gguf", valid());
        try (Model m = ModelOpener.open(f)) {
            assertEquals(2, m.tensors().size());
        }
    }

    /** Cut the file at every length: inside the header, every key/value, every tensor info and the data. */
    @TestFactory
    Stream<DynamicTest> truncatedAnywhere() {
        byte[] full = valid();
        return java.util.stream.IntStream.range(0, full.length).mapToObj(len -> DynamicTest.dynamicTest(
                "truncated to " + len, () -> assertRefused(Arrays.copyOf(full, len), null)));
    }

    @TestFactory
    Stream<DynamicTest> hostileFields() {
        List<Map.Entry<String, byte[]>> cases = new ArrayList<>();
        add(cases, "magic", new GgufBuilder().raw("GGUX".getBytes()).u32(3).u64(0).u64(0).bytes());
        add(cases, "version", new GgufBuilder().header(7, 0, 0).bytes());
        add(cases, "version", new GgufBuilder().header(1, 0, 0).bytes());
        add(cases, "tensor_count", new GgufBuilder().header(3, Long.MAX_VALUE, 0).bytes());
        add(cases, "metadata_kv_count", new GgufBuilder().header(3, 0, 1L << 40).bytes());
        add(cases, "tensor_count", new GgufBuilder().header(3, -1L, 0).bytes());
        add(cases, "metadata key #0", new GgufBuilder().header(3, 0, 1).u64(1L << 50).raw(new byte[32]).bytes());
        add(cases, "unknown value type", new GgufBuilder().header(3, 0, 1).str("k").u32(99).u32(0).bytes());
        add(cases, "length", new GgufBuilder().header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.UINT64.id()).u64(1L << 40).bytes());
        add(cases, "bool", new GgufBuilder().header(3, 0, 1).str("k").u32(GgufValueType.BOOL.id()).u8(7).u64(0).bytes());
        GgufBuilder deep = new GgufBuilder().header(3, 0, 1).str("k").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 20; i++) deep.u32(GgufValueType.ARRAY.id()).u64(1);
        add(cases, "nested deeper", deep.u32(GgufValueType.UINT8.id()).u64(1).u8(0).raw(new byte[64]).bytes());
        add(cases, "appears twice", new GgufBuilder().header(3, 0, 2).kvU32("a", 1).kvU32("a", 2).u64(0).bytes());
        add(cases, "general.alignment", new GgufBuilder().header(3, 0, 1).kvU32("general.alignment", 48).raw(new byte[16]).bytes());
        add(cases, "general.alignment", new GgufBuilder().header(3, 0, 1).kvU32("general.alignment", 0).raw(new byte[16]).bytes());
        add(cases, "general.alignment", new GgufBuilder().header(3, 0, 1).kvString("general.alignment", "32").raw(new byte[16]).bytes());
        add(cases, "n_dims", tensor(new long[9], 0, 0, 0));
        add(cases, "must be > 0", tensor(new long[] {0, 4}, 0, 0, 64));
        add(cases, "must be > 0", tensor(new long[] {-5}, 0, 0, 64));
        add(cases, "overflows", tensor(new long[] {1L << 40, 1L << 40}, 0, 0, 64));
        add(cases, "unknown ggml type number", tensor(new long[] {4}, 99, 0, 64));
        add(cases, "unknown ggml type number", tensor(new long[] {32}, 4, 0, 64)); // Q4_2, removed from ggml
        add(cases, "whole number", tensor(new long[] {33}, 8, 0, 64));
        add(cases, "not a multiple of the alignment", tensor(new long[] {4}, 0, 3, 64));
        add(cases, "past the end", tensor(new long[] {4}, 0, 1L << 40, 64));
        add(cases, "past the end", tensor(new long[] {1L << 20}, 0, 0, 64));
        add(cases, "overflows", tensor(new long[] {1L << 60}, 0, Long.MAX_VALUE & ~31L, 64));
        GgufBuilder dup = new GgufBuilder().header(3, 2, 0);
        dup.tensorInfo("x", new long[] {4}, 0, 0).tensorInfo("x", new long[] {4}, 0, 32).align(32).raw(new byte[64]);
        add(cases, "appears twice", dup.bytes());
        return cases.stream().map(e -> DynamicTest.dynamicTest(e.getKey(),
                () -> assertRefused(e.getValue(), e.getKey())));
    }

    private static void add(List<Map.Entry<String, byte[]>> cases, String expected, byte[] file) {
        cases.add(Map.entry(expected, file));
    }

    private static byte[] tensor(long[] ne, int type, long offset, int dataBytes) {
        GgufBuilder b = new GgufBuilder().header(3, 1, 0);
        b.tensorInfo("w", ne, type, offset).align(32).raw(new byte[dataBytes]);
        return b.bytes();
    }

    private void assertRefused(byte[] content, String expectedInMessage) throws Exception {
        Path f = write("bad.gguf", content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> {
            try (Model m = ModelOpener.open(f)) {
                fail("opened a malformed file with " + m.tensors().size() + " tensors");
            }
        });
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertEquals(f, e.file());
        if (expectedInMessage != null) assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    private Path write(String name, byte[] content) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }
}
