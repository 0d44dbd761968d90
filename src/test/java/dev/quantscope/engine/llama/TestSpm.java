package dev.quantscope.engine.llama;

import dev.quantscope.format.Model;

/** Public door to the test-only tokenizer for tests in other packages. */
public final class TestSpm {
    private TestSpm() {}

    public static int[] encode(Model model, String text) {
        return new TestSpmTokenizer(model).encode(text, true);
    }
}
