package dev.quantscope.engine.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One stage of BPE pre-tokenization: refines a text, already cut into chunks, into finer chunks that merges
 * never cross. Lengths are in code points. llama.cpp chains several stages per pre-tokenizer type.
 */
sealed interface WordSplitter {
    /** @return the lengths of the new chunks, which cover exactly the same code points as {@code chunks} */
    IntList split(int[] cps, IntList chunks);

    /** GPT-2's {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. */
    String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    /** Llama 3's pattern, in llama.cpp's case-expanded spelling and in the original tokenizer.json spelling. */
    String LLAMA3_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    String LLAMA3_REGEX_HF = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The stage for one of llama.cpp's regexes: its hand-written matcher where it has one, else the regex. */
    static WordSplitter forLlamaRegex(String regex) {
        if (regex.equals(GPT2_REGEX)) return new Gpt2();
        if (regex.equals(LLAMA3_REGEX) || regex.equals(LLAMA3_REGEX_HF)) return new Llama3();
        return CollapsedRegex.of(regex);
    }

    /** Walks one chunk, emitting pieces that end where the matcher says. */
    abstract sealed class ChunkWalker permits Gpt2, Llama3 {
        static final int OUT_OF_RANGE = -1;
        int[] cps;
        int ini;
        int end;
        int prevEnd;
        IntList out;

        int cpt(int pos) { return pos >= ini && pos < end ? cps[pos] : OUT_OF_RANGE; }

        boolean inRange(int pos) { return pos >= ini && pos < end; }

        boolean letter(int pos) { return inRange(pos) && UnicodeClass.isLetter(cps[pos]); }

        boolean number(int pos) { return inRange(pos) && UnicodeClass.isNumber(cps[pos]); }

        boolean space(int pos) { return inRange(pos) && UnicodeClass.isWhitespace(cps[pos]); }

        /** In range and neither whitespace, letter nor number: {@code [^\s\p{L}\p{N}]}. */
        boolean other(int pos) { return inRange(pos) && !space(pos) && !letter(pos) && !number(pos); }

        int add(int newEnd) {
            int len = newEnd - prevEnd;
            if (len > 0) out.add(len);
            prevEnd = newEnd;
            return len;
        }

        public final IntList split(int[] cps, IntList chunks) {
            this.cps = cps;
            this.out = new IntList(chunks.size() * 4);
            int start = 0;
            for (int c = 0; c < chunks.size(); c++) {
                ini = start;
                end = start + chunks.get(c);
                start = end;
                prevEnd = ini;
                for (int pos = ini; pos < end; ) pos = step(pos);
            }
            return out;
        }

        /** Matches at {@code pos}, emits the piece, returns the next position. */
        abstract int step(int pos);

        /** {@code 's|'t|'re|'ve|'m|'ll|'d}, optionally case-insensitive; the new position, or -1. */
        int contraction(int pos, boolean ignoreCase) {
            if (cpt(pos) != '\'' || pos + 1 >= end) return -1;
            int n1 = ignoreCase ? UnicodeClass.toLower(cpt(pos + 1)) : cpt(pos + 1);
            if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') return pos + add(pos + 2);
            if (pos + 2 < end) {
                int n2 = ignoreCase ? UnicodeClass.toLower(cpt(pos + 2)) : cpt(pos + 2);
                if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
                    return pos + add(pos + 3);
                }
            }
            return -1;
        }
    }

    /** llama.cpp's unicode_regex_split_custom_gpt2, a hand-written matcher for {@link #GPT2_REGEX}. */
    final class Gpt2 extends ChunkWalker implements WordSplitter {
        @Override
        int step(int pos) {
            int c = contraction(pos, false);
            if (c >= 0) return c;
            int cpt = cpt(pos);
            int at = cpt == ' ' ? pos + 1 : pos; // the optional leading space
            if (letter(at)) {
                pos = at;
                while (letter(pos)) pos++;
                add(pos);
                return pos;
            }
            if (number(at)) {
                pos = at;
                while (number(pos)) pos++;
                add(pos);
                return pos;
            }
            if (other(at)) {
                pos = at;
                while (other(pos)) pos++;
                add(pos);
                return pos;
            }
            int spaces = 0;
            while (space(pos + spaces)) spaces++;
            if (spaces > 1 && cpt(pos + spaces) != OUT_OF_RANGE) { // \s+(?!\S): leave the last space to the word
                pos += spaces - 1;
                add(pos);
                return pos;
            }
            if (spaces > 0) {
                pos += spaces;
                add(pos);
                return pos;
            }
            add(++pos);
            return pos;
        }
    }

    /** llama.cpp's unicode_regex_split_custom_llama3, a hand-written matcher for {@link #LLAMA3_REGEX}. */
    final class Llama3 extends ChunkWalker implements WordSplitter {
        @Override
        int step(int pos) {
            int c = contraction(pos, true);
            if (c >= 0) return c;
            int cpt = cpt(pos);
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cpt == '\r' || cpt == '\n' || number(pos)) && (letter(pos) || letter(pos + 1))) {
                pos++;
                while (letter(pos)) pos++;
                add(pos);
                return pos;
            }
            // \p{N}{1,3}
            if (number(pos)) {
                int ini = pos;
                while (number(pos)) {
                    if (++pos - ini >= 3) {
                        add(pos);
                        ini = pos;
                    }
                }
                add(pos);
                return pos;
            }
            // <space>?[^\s\p{L}\p{N}]+[\r\n]*
            int at = cpt == ' ' ? pos + 1 : pos;
            if (inRange(at) ? other(at) : cpt == ' ') {
                pos = at;
                while (other(pos)) pos++;
                while (cpt(pos) == '\r' || cpt(pos) == '\n') pos++;
                add(pos);
                return pos;
            }
            int spaces = 0;
            int lastLineEnd = 0;
            while (space(pos + spaces)) {
                int c2 = cpt(pos + spaces);
                if (c2 == '\r' || c2 == '\n') lastLineEnd = pos + spaces + 1;
                spaces++;
            }
            if (lastLineEnd > 0) { // \s*[\r\n]+
                pos = lastLineEnd;
                add(pos);
                return pos;
            }
            if (spaces > 1 && cpt(pos + spaces) != OUT_OF_RANGE) {
                pos += spaces - 1;
                add(pos);
                return pos;
            }
            if (spaces > 0) {
                pos += spaces;
                add(pos);
                return pos;
            }
            add(++pos);
            return pos;
        }
    }

    /**
     * llama.cpp's general path: the text "collapsed" to one char per code point (ASCII kept, other code points
     * replaced by a stand-in per category) and the regex's \p{..} classes rewritten to those stand-ins, so that a
     * byte-oriented regex engine sees Unicode categories. We reproduce it with java.util.regex, whose ASCII-only
     * \s matches what std::regex's does.
     */
    record CollapsedRegex(Pattern pattern) implements WordSplitter {
        private static final char NUMBER = '\u00D1', LETTER = '\u00D2', PUNCTUATION = '\u00D3', MARK = '\u00D4',
                SYMBOL = '\u00D5', OTHER = '\u00D0';

        static CollapsedRegex of(String regex) {
            StringBuilder out = new StringBuilder();
            boolean inside = false;
            for (int i = 0; i < regex.length(); i++) {
                char ch = regex.charAt(i);
                if (ch >= 0x80) throw new IllegalArgumentException("pre-tokenizer regex with non-ASCII characters is not supported: " + regex);
                if (ch == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                    out.append('[');
                    inside = true;
                    continue;
                }
                if (inside && ch == ']' && regex.charAt(i - 1) != '\\') {
                    out.append(']');
                    inside = false;
                    continue;
                }
                if (ch == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                    int close = regex.indexOf('}', i + 3);
                    String cls = close < 0 ? null : switch (regex.substring(i, close + 1)) {
                        case "\\p{N}" -> NUMBER + "0-9";
                        case "\\p{L}", "\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}" -> LETTER + "A-Za-z";
                        case "\\p{P}" -> PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
                        case "\\p{M}" -> String.valueOf(MARK);
                        case "\\p{S}" -> SYMBOL + "\\$\\+<->\\^`\\|";
                        default -> null;
                    };
                    if (cls != null) {
                        out.append(inside ? cls : "[" + cls + "]");
                        i = close;
                        continue;
                    }
                }
                out.append(ch);
            }
            return new CollapsedRegex(Pattern.compile(out.toString()));
        }

        static char collapse(int cp) {
            if (cp < 0x80) return (char) cp;
            if (UnicodeClass.isWhitespace(cp)) return '\u000B';
            if (UnicodeClass.isNumber(cp)) return NUMBER;
            if (UnicodeClass.isLetter(cp)) return LETTER;
            if (UnicodeClass.isPunctuation(cp)) return PUNCTUATION;
            if (UnicodeClass.isAccentMark(cp)) return MARK;
            if (UnicodeClass.isSymbol(cp)) return SYMBOL;
            return OTHER;
        }

        @Override
        public IntList split(int[] cps, IntList chunks) {
            char[] collapsed = new char[cps.length];
            for (int i = 0; i < cps.length; i++) collapsed[i] = collapse(cps[i]);
            return splitByMatches(pattern.matcher(new String(collapsed)), chunks);
        }

        /** Matches and the gaps between them both become pieces, as in llama.cpp's unicode_regex_split_stl. */
        static IntList splitByMatches(Matcher m, IntList chunks) {
            IntList out = new IntList(chunks.size() * 4);
            int start = 0;
            for (int c = 0; c < chunks.size(); c++) {
                int len = chunks.get(c);
                m.region(start, start + len);
                int done = start;
                while (m.find()) {
                    if (m.end() == m.start()) continue; // an empty match splits nothing
                    if (m.start() > done) out.add(m.start() - done);
                    out.add(m.end() - m.start());
                    done = m.end();
                }
                if (done < start + len) out.add(start + len - done);
                start += len;
            }
            return out;
        }
    }

    /**
     * A tokenizer.json Split regex that llama.cpp has no matcher for, run with java.util.regex's own Unicode
     * classes on the real text. Offsets are mapped between code points and UTF-16 units.
     */
    record UnicodeRegex(Pattern pattern) implements WordSplitter {
        static UnicodeRegex of(String regex) {
            return new UnicodeRegex(Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS));
        }

        @Override
        public IntList split(int[] cps, IntList chunks) {
            String text = new String(cps, 0, cps.length);
            int[] charToCp = new int[text.length() + 1];
            for (int i = 0, cp = 0; i < text.length(); cp++) {
                int n = Character.charCount(text.codePointAt(i));
                for (int k = 0; k < n; k++) charToCp[i + k] = cp;
                i += n;
            }
            charToCp[text.length()] = cps.length;
            IntList charChunks = new IntList(chunks.size());
            for (int c = 0, cp = 0, ch = 0; c < chunks.size(); c++) {
                int endCp = cp + chunks.get(c);
                int endCh = text.offsetByCodePoints(ch, chunks.get(c));
                charChunks.add(endCh - ch);
                cp = endCp;
                ch = endCh;
            }
            IntList inChars = CollapsedRegex.splitByMatches(pattern.matcher(text), charChunks);
            IntList out = new IntList(inChars.size());
            for (int i = 0, ch = 0; i < inChars.size(); i++) {
                int endCh = ch + inChars.get(i);
                out.add(charToCp[endCh] - charToCp[ch]);
                ch = endCh;
            }
            return out;
        }
    }
}
