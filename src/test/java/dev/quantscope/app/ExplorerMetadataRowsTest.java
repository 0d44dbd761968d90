package dev.quantscope.app;

import dev.quantscope.app.overview.MetadataRow;
import dev.quantscope.app.overview.MetadataRows;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExplorerMetadataRowsTest {

    @Test
    void unsetSpecialTokenIdsReadNone() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("tokenizer.ggml.padding_token_id", 4294967295L);
        meta.put("tokenizer.ggml.seperator_token_id", -1);
        meta.put("tokenizer.ggml.bos_token_id", 1L);
        meta.put("llama.vocab_size", 4294967295L);
        List<String> shown = MetadataRows.of(meta).stream().map(MetadataRow::value).toList();
        assertEquals(List.of("none", "none", "1", "4294967295"), shown);
    }

    @Test
    void longArraysAreAbbreviatedWithTheirLengthAndKind() {
        List<Object> vocab = new ArrayList<>();
        for (int i = 0; i < 32000; i++) vocab.add("tok" + i);
        assertEquals("[32000 strings] \"tok0\", \"tok1\", \"tok2\" …", MetadataRows.display(vocab));
        List<Object> scores = new ArrayList<>();
        for (int i = 0; i < 100; i++) scores.add((double) i);
        assertEquals("[100 floats] 0.0, 1.0, 2.0 …", MetadataRows.display(scores));
    }

    @Test
    void shortArraysAndScalarsAreShownWhole() {
        assertEquals("[1, 2, 3]", MetadataRows.display(List.of(1L, 2L, 3L)));
        assertEquals("llama", MetadataRows.display("llama"));
        assertEquals("4096", MetadataRows.display(4096L));
        assertEquals("true", MetadataRows.display(true));
    }

    @Test
    void longStringsAreCutToOneLineAndControlCharactersInTokensEscaped() {
        String template = "{% for m in messages %}\n".repeat(40);
        String shown = MetadataRows.display(template);
        assertTrue(shown.endsWith("… (" + template.length() + " chars)"), shown);
        assertTrue(!shown.contains("\n"), shown);
        List<Object> tokens = new ArrayList<>(List.of("\n", "\t", "a", "b", "c", "d", "e", "f", "g"));
        assertEquals("[9 strings] \"\\n\", \"\\t\", \"a\" …", MetadataRows.display(tokens));
    }

    @Test
    void nestedObjectsBecomeDottedKeysWithTypes() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("hidden_size", 768L);
        config.put("rope", Map.of("theta", 10000.0));
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("general.architecture", "bert");
        meta.put("config.json", config);
        List<MetadataRow> rows = MetadataRows.of(meta);
        assertEquals(List.of(
                new MetadataRow("general.architecture", "string", "bert"),
                new MetadataRow("config.json.hidden_size", "integer", "768"),
                new MetadataRow("config.json.rope.theta", "float", "10000.0")), rows);
    }
}
