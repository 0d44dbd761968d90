package dev.quantscope.distill.llama;

import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;
import dev.quantscope.format.Model;

import java.io.IOException;
import java.util.Arrays;

/**
 * The tokens a recovery trains on and the held-out tokens it is measured on, never the same: either two texts, or
 * one text whose last part is held out.
 *
 * @param bos BOS put first in every window (llama.cpp does so exactly when the tokenizer adds one), or −1
 */
public record RecoveryText(int[] train, int[] heldOut, int bos) {

    /** Splits one text: the last {@code heldOutFraction} of its tokens are held out. */
    public static RecoveryText split(Model model, String text, double heldOutFraction) throws IOException {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction " + heldOutFraction + " is not in (0, 1)");
        }
        Tokenizer tokenizer = Tokenizers.forModel(model);
        int[] tokens = tokenizer.encode(text, true);
        int cut = (int) Math.round(tokens.length * (1 - heldOutFraction));
        return new RecoveryText(Arrays.copyOf(tokens, cut), Arrays.copyOfRange(tokens, cut, tokens.length), bos(tokenizer, tokens));
    }

    /** A training text and a separate held-out text. */
    public static RecoveryText of(Model model, String train, String heldOut) throws IOException {
        Tokenizer tokenizer = Tokenizers.forModel(model);
        int[] tokens = tokenizer.encode(train, true);
        return new RecoveryText(tokens, tokenizer.encode(heldOut, true), bos(tokenizer, tokens));
    }

    private static int bos(Tokenizer tokenizer, int[] tokens) {
        return tokens.length > 0 && tokenizer.specials().addBos() && tokens[0] == tokenizer.bos() ? tokenizer.bos() : -1;
    }
}
