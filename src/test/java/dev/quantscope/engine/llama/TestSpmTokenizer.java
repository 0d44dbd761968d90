package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A minimal SentencePiece (BPE by score) tokenizer for tests only, standing in until the project's tokenizer
 * lands: space → ▁, a leading ▁, greedy merging of the adjacent pair whose merge has the best score (leftmost on
 * ties), and byte fallback (&lt;0xXX&gt;) for characters not in the vocabulary.
 */
final class TestSpmTokenizer {
    private final List<String> pieces = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final float[] scores;

    TestSpmTokenizer(Model model) {
        List<?> tokens = (List<?>) model.metadata().get("tokenizer.ggml.tokens");
        List<?> sc = (List<?>) model.metadata().get("tokenizer.ggml.scores");
        scores = new float[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            String t = (String) tokens.get(i);
            pieces.add(t);
            ids.putIfAbsent(t, i);
            scores[i] = ((Number) sc.get(i)).floatValue();
        }
    }

    int[] encode(String text, boolean addBos) {
        String s = "\u2581" + text.replace(' ', '\u2581');
        List<String> syms = new ArrayList<>();
        s.codePoints().forEach(cp -> syms.add(new String(Character.toChars(cp))));
        // Doubly linked symbols; a merge candidate is stale when either side changed since it was queued.
        int n = syms.size();
        String[] text2 = syms.toArray(new String[0]);
        int[] prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        record Bigram(int left, int right, float score, String merged) {}
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        java.util.function.BiConsumer<Integer, Integer> tryAdd = (l, r) -> {
            if (l < 0 || r < 0) return;
            String m = text2[l] + text2[r];
            Integer id = ids.get(m);
            if (id != null) queue.add(new Bigram(l, r, scores[id], m));
        };
        for (int i = 0; i + 1 < n; i++) tryAdd.accept(i, i + 1);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (text2[b.left] == null || text2[b.right] == null) continue;
            if (!(text2[b.left] + text2[b.right]).equals(b.merged) || next[b.left] != b.right) continue;
            text2[b.left] = b.merged;
            text2[b.right] = null;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) prev[next[b.right]] = b.left;
            tryAdd.accept(prev[b.left], b.left);
            tryAdd.accept(b.left, next[b.left]);
        }
        List<Integer> out = new ArrayList<>();
        if (addBos) out.add(1);
        for (int i = 0; i >= 0 && i < n; i = next[i]) {
            Integer id = ids.get(text2[i]);
            if (id != null) {
                out.add(id);
            } else {
                for (byte by : text2[i].getBytes(StandardCharsets.UTF_8)) {
                    out.add(ids.get(String.format("<0x%02X>", by & 0xFF)));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    String decode(int token) {
        String p = pieces.get(token);
        if (p.startsWith("<0x") && p.endsWith(">") && p.length() == 6) return String.valueOf((char) Integer.parseInt(p.substring(3, 5), 16));
        return p.replace('\u2581', ' ');
    }
}
