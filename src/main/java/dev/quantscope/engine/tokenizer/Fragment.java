package dev.quantscope.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** A piece of input: raw text still to tokenize, or a special token already cut out of it. */
sealed interface Fragment {
    record Text(String text) implements Fragment {}

    record Token(int id) implements Fragment {}

    /**
     * Cuts special tokens out of the text, longest first, as llama.cpp's tokenizer_st_partition does. User-defined
     * tokens are always matched; control and unknown tokens only when {@code parseSpecial}.
     */
    static List<Fragment> partition(String text, Vocabulary vocab, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Text(text));
        for (int id : vocab.specialsLongestFirst()) {
            if (!parseSpecial && vocab.type(id).isSpecial()) continue;
            String special = vocab.text(id);
            List<Fragment> next = null;
            for (int f = 0; f < fragments.size(); f++) {
                Fragment fragment = fragments.get(f);
                if (!(fragment instanceof Text(String raw)) || raw.indexOf(special) < 0) {
                    if (next != null) next.add(fragment);
                    continue;
                }
                if (next == null) next = new ArrayList<>(fragments.subList(0, f));
                int from = 0;
                for (int at = raw.indexOf(special); at >= 0; at = raw.indexOf(special, from)) {
                    if (at > from) next.add(new Text(raw.substring(from, at)));
                    next.add(new Token(id));
                    from = at + special.length();
                }
                if (from < raw.length()) next.add(new Text(raw.substring(from)));
            }
            if (next != null) fragments = next;
        }
        return fragments;
    }
}
