package dev.quantscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantscope.engine.llama.KvCacheType;
import dev.quantscope.eval.PerplexityResult;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every --json goes through {@link CliJson}: a figure that is not a number is null, and the text parses back. */
class CliJsonTest {

    private static JsonNode parse(String json) throws Exception {
        return new ObjectMapper().readTree(json); // a strict parser: a bare or quoted NaN would fail or be a string
    }

    @Test
    void anEvalWhosePerplexityIsNaNIsValidJsonWithNull() throws Exception {
        String json = CliJson.compact(EvalCommand.Json.of(new PerplexityResult(Double.NaN, Double.NaN, 0, 0)));
        JsonNode doc = parse(json);
        assertTrue(doc.get("ppl").isNull(), json);
        assertEquals(0, doc.get("tokens").asLong(), json);
        assertEquals(List.of("ppl", "kld_mean", "kld_median", "kld_p99", "kld_max", "same_top_p", "tokens"),
                names(doc), json);
        assertFalse(json.contains("\n"), "eval --json is one line: " + json);
    }

    @Test
    void evalFiguresKeepTheirSixDecimals() throws Exception {
        JsonNode doc = parse(CliJson.compact(EvalCommand.Json.of(new PerplexityResult(12.34567891, 0.1, 100, 1))));
        assertEquals("12.345679", doc.get("ppl").asText());
    }

    @Test
    void aBenchWhosePhaseWasSkippedIsValidJsonWithNulls() throws Exception {
        var result = new BenchModelCommand.Result(Double.NaN, 123.456, Double.NaN, Double.NaN, 0);
        String json = CliJson.compact(BenchModelCommand.Json.of(result, KvCacheType.F16));
        JsonNode doc = parse(json);
        assertTrue(doc.get("pp").isNull(), json);
        assertEquals(123.46, doc.get("tg").asDouble(), json);
        assertTrue(doc.get("peak_rss_mb").isNull(), json);
        assertEquals("f16", doc.get("kv_cache").asText(), json);
        assertTrue(doc.get("pp_alloc_bytes_per_token").isNull(), json);
        assertEquals(0, doc.get("tg_alloc_bytes_per_token").asLong(), json);
        assertEquals(List.of("pp", "tg", "peak_rss_mb", "kv_cache", "pp_alloc_bytes_per_token",
                "tg_alloc_bytes_per_token"), names(doc), json);
    }

    /** Trees (sweep), maps and records (inspect's stats) and arrays write numbers on different paths. */
    @Test
    void nonFiniteNumbersAreNullOnEveryPath() throws Exception {
        ObjectNode tree = CliJson.object();
        tree.put("nan", Double.NaN);
        tree.put("inf", Double.POSITIVE_INFINITY);
        tree.put("float", Float.NaN);
        tree.put("fine", 1.5);
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("tree", tree);
        map.put("boxed", Double.NEGATIVE_INFINITY);
        map.put("array", new double[] {1, Double.NaN});
        map.put("floats", new float[] {Float.NaN, 2});
        String json = CliJson.pretty(map);
        JsonNode doc = parse(json);
        assertTrue(doc.at("/tree/nan").isNull(), json);
        assertTrue(doc.at("/tree/inf").isNull(), json);
        assertTrue(doc.at("/tree/float").isNull(), json);
        assertEquals(1.5, doc.at("/tree/fine").asDouble(), json);
        assertTrue(doc.get("boxed").isNull(), json);
        assertEquals(1, doc.at("/array/0").asDouble(), json);
        assertTrue(doc.at("/array/1").isNull(), json);
        assertTrue(doc.at("/floats/0").isNull(), json);
        assertEquals(2, doc.at("/floats/1").asDouble(), json);
    }

    private static List<String> names(JsonNode doc) {
        List<String> names = new java.util.ArrayList<>();
        doc.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
