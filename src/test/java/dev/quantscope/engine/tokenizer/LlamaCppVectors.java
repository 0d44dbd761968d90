package dev.quantscope.engine.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** llama.cpp's tokenizer test vectors (X.gguf.inp / X.gguf.out), read exactly as its test-tokenizer-0 does. */
record LlamaCppVectors(List<String> inputs, List<int[]> expected) {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static LlamaCppVectors read(Path vocabFile) throws IOException {
        String raw = Files.readString(Path.of(vocabFile + ".inp"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        // as test-tokenizer-0: pieces between separators; the newline before a separator belongs to it, not the test
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(SEPARATOR, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        List<int[]> expected = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(vocabFile + ".out"), StandardCharsets.UTF_8)) {
            String s = line.strip();
            expected.add(s.isEmpty() ? new int[0] : Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        if (inputs.size() != expected.size()) {
            throw new IllegalStateException(inputs.size() + " inputs but " + expected.size() + " expected outputs");
        }
        return new LlamaCppVectors(inputs, expected);
    }

    /** Runs every vector with add_special = false, parse_special = false; returns the descriptions of failures. */
    List<String> failures(Tokenizer tokenizer) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            int[] got = tokenizer.encode(inputs.get(i), false, false);
            if (!Arrays.equals(got, expected.get(i))) {
                failures.add("#" + i + " '" + inputs.get(i) + "': expected " + Arrays.toString(expected.get(i))
                        + " got " + Arrays.toString(got));
            }
        }
        return failures;
    }
}
