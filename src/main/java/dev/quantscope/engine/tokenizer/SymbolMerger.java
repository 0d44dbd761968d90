package dev.quantscope.engine.tokenizer;

import java.util.PriorityQueue;

/**
 * The merge loop SentencePiece-style and GPT-2 BPE tokenizers share, as llama.cpp runs it: the text starts as one
 * symbol per code point, a priority queue holds every adjacent pair that may merge, and the best pair merges
 * first (on a tie, the leftmost), until no pair is left. Only what "best" means differs: the SPM vocabulary's
 * score of the merged piece, or the BPE merge list's rank of the pair.
 */
final class SymbolMerger {
    private SymbolMerger() {}

    /** How early two adjacent symbols merge. */
    interface Priority {
        /**
         * The priority of merging {@code text[start, mid)} with {@code text[mid, end)}, smaller first, or
         * {@link Double#NaN} when the two do not merge.
         */
        double of(String text, int start, int mid, int end);
    }

    /** Receives the final symbols in order, as ranges of the text. */
    interface Sink {
        void symbol(int start, int end);
    }

    /** A candidate merge of two adjacent symbols; stale once either side has changed length. */
    private record Bigram(int left, int right, double priority, int length) {}

    static void merge(String text, Priority priority, Sink sink) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) return;
        // symbols as a linked list over char ranges of the text; a merged-away symbol has length 0
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            length[i] = Character.charCount(text.codePointAt(at));
            at += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(n, (a, b) -> {
            int byPriority = Double.compare(a.priority, b.priority);
            return byPriority != 0 ? byPriority : Integer.compare(a.left, b.left);
        });
        for (int i = 1; i < n; i++) offer(text, priority, start, length, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int l = bigram.left;
            int r = bigram.right;
            // a pair is stale once either side merged with something else: lengths only ever grow or drop to 0
            if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != bigram.length) continue;
            length[l] += length[r];
            length[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            offer(text, priority, start, length, prev[l], l, queue);
            offer(text, priority, start, length, l, next[l], queue);
        }
        for (int i = 0; i != -1; i = next[i]) sink.symbol(start[i], start[i] + length[i]);
    }

    private static void offer(String text, Priority priority, int[] start, int[] length, int left, int right,
                              PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        double p = priority.of(text, start[left], start[right], start[right] + length[right]);
        if (Double.isNaN(p)) return;
        queue.add(new Bigram(left, right, p, length[left] + length[right]));
    }
}
