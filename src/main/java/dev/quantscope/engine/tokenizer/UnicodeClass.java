package dev.quantscope.engine.tokenizer;

import java.text.Normalizer;

/**
 * Code point classes as llama.cpp's unicode.cpp sees them: the general category folded into letter, number,
 * mark, punctuation, symbol, separator, control or undefined, plus its own fixed White_Space set (which, unlike
 * Java's {@code Character.isWhitespace}, includes U+0085, U+00A0, U+2007 and U+202F).
 */
final class UnicodeClass {
    private UnicodeClass() {}

    static boolean isLetter(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> true;
            default -> false;
        };
    }

    static boolean isNumber(int cp) {
        return switch (Character.getType(cp)) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    static boolean isAccentMark(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> true;
            default -> false;
        };
    }

    static boolean isPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.CONNECTOR_PUNCTUATION, Character.OTHER_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION -> true;
            default -> false;
        };
    }

    static boolean isSymbol(int cp) {
        return switch (Character.getType(cp)) {
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** Cc, Cf, Co and Cs: llama.cpp's \p{C} without the unassigned code points. */
    static boolean isControl(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** Unicode's White_Space property, the set llama.cpp's gen-unicode-data.py lists. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** The first code point of the canonical decomposition, which is all llama.cpp keeps of NFD. */
    static int nfdFirst(int cp) {
        if (cp < 0xC0) return cp;
        String s = Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFD);
        return s.codePointAt(0);
    }

    /** Simple (one-to-one) lowercase mapping, as UnicodeData.txt and llama.cpp's unicode_tolower give it. */
    static int toLower(int cp) { return Character.toLowerCase(cp); }
}
