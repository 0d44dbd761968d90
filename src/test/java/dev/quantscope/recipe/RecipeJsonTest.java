package dev.quantscope.recipe;

import dev.quantscope.quant.preset.Preset;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecipeJsonTest {
    @TempDir
    Path dir;

    private static Recipe sample() {
        return new Recipe("mixed", new RecipeBase.DefaultScheme(QuantScheme.parse("int4-asym-g128-mse")), List.of(
                Rule.of("blk.*.ffn_down*", "int8-sym-row-rtn"),
                Rule.of("re:^output\\.weight$", "keep"),
                Rule.of("token_embd.weight", "fp8-e4m3-row"),
                Rule.of("blk.?.attn_v.weight", "nf4-b64-dq"),
                Rule.of("re:attn_[qk]", "mxfp4"),
                Rule.of("*", "ggml:Q4_K")));
    }

    @Test
    void roundTripsExactly() throws IOException {
        for (Recipe r : List.of(sample(), Recipe.preset(Preset.Q3_K_M), Recipe.of(QuantScheme.parse("ternary-g64")))) {
            String json = RecipeJson.write(r);
            Recipe back = RecipeJson.parse(json, "mem");
            assertEquals(r, back);
            assertEquals(json, RecipeJson.write(back), "canonical text");
            Path f = dir.resolve("r.json");
            RecipeJson.write(r, f);
            assertEquals(r, RecipeJson.read(f));
        }
        String json = RecipeJson.write(sample());
        assertTrue(json.contains("\"format\" : \"quantscope.recipe/1\""), json);
        assertTrue(json.contains("\"match\" : \"re:^output\\\\.weight$\""), json);
    }

    private RecipeFormatException bad(String json) throws IOException {
        Path f = dir.resolve("bad-recipe.json");
        Files.writeString(f, json);
        RecipeFormatException e = assertThrows(RecipeFormatException.class, () -> RecipeJson.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        assertEquals(f.toString(), e.source());
        return e;
    }

    @Test
    void malformedRecipesNameTheJsonPath() throws IOException {
        String ok = "\"format\": \"quantscope.recipe/1\", \"default\": \"int4-sym-row-rtn\"";
        assertEquals("$.rules[1].scheme", bad("{" + ok + ", \"rules\": [{\"match\": \"a*\", \"scheme\": \"keep\"},"
                + "{\"match\": \"b*\", \"scheme\": \"int9-sym-row-rtn\"}]}").jsonPath());
        assertEquals("$.rules[0].match", bad("{" + ok + ", \"rules\": [{\"match\": \"re:(\", \"scheme\": \"keep\"}]}").jsonPath());
        assertEquals("$.rules[0].match", bad("{" + ok + ", \"rules\": [{\"match\": 3, \"scheme\": \"keep\"}]}").jsonPath());
        assertEquals("$.rules[0].scheme", bad("{" + ok + ", \"rules\": [{\"match\": \"x\"}]}").jsonPath());
        assertEquals("$.rules[0].schema", bad("{" + ok + ", \"rules\": [{\"match\": \"x\", \"schema\": \"keep\"}]}").jsonPath());
        assertEquals("$.rules[0]", bad("{" + ok + ", \"rules\": [\"x\"]}").jsonPath());
        assertEquals("$.rules", bad("{" + ok + ", \"rules\": {}}").jsonPath());
        assertEquals("$.rule", bad("{" + ok + ", \"rule\": []}").jsonPath());
        assertEquals("$.default", bad("{\"format\": \"quantscope.recipe/1\", \"default\": \"int4\"}").jsonPath());
        assertEquals("$.preset", bad("{\"format\": \"quantscope.recipe/1\", \"preset\": \"Q4_K_X\"}").jsonPath());
        assertEquals("$", bad("{\"format\": \"quantscope.recipe/1\"}").jsonPath());
        assertEquals("$", bad("{\"format\": \"quantscope.recipe/1\", \"preset\": \"Q4_0\", \"default\": \"keep\"}").jsonPath());
        RecipeFormatException version = bad("{\"format\": \"quantscope.recipe/2\", \"default\": \"keep\"}");
        assertEquals("$.format", version.jsonPath());
        assertTrue(version.problem().contains("quantscope.recipe/2"));
        assertEquals("$.format", bad("{\"default\": \"keep\"}").jsonPath());
        assertEquals("$", bad("[]").jsonPath());
        assertEquals("$", bad("").jsonPath());
        RecipeFormatException syntax = bad("{\"format\": \"quantscope.recipe/1\",\n \"default\": }");
        assertTrue(syntax.jsonPath().contains("line 2"), syntax.getMessage());
        RecipeFormatException scheme = bad("{" + ok + ", \"rules\": [{\"match\": \"x\", \"scheme\": \"nf5\"}]}");
        assertTrue(scheme.getMessage().contains("$.rules[0].scheme") && scheme.getMessage().contains("nf5"),
                scheme.getMessage());
    }

    @Test
    void sha256IsStreamedAndStampsTheRecipe() throws Exception {
        Path stories = SharedFiles.file("models/stories260K.gguf");
        String hex = FileDigest.sha256(stories);
        String whole = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(stories)));
        assertEquals(whole, hex);
        assertTrue(hex.startsWith("270cba1b"), "the README's digest: " + hex);

        Path big = dir.resolve("three-chunks.bin"); // spans several 1 MiB reads with a partial last one
        byte[] data = new byte[(3 << 20) + 12345];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + (i >> 9));
        Files.write(big, data);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)), FileDigest.sha256(big));

        RecipeStamp stamp = RecipeStamp.of(sample(), stories);
        assertEquals(hex, stamp.metadata().get(RecipeStamp.SOURCE_SHA256_KEY));
        assertEquals(sample(), stamp.recipe("out.gguf"));
    }
}
