package dev.quantscope.engine.llama;

import dev.quantscope.engine.tokenizer.Tokenizer;
import dev.quantscope.engine.tokenizer.Tokenizers;

import dev.quantscope.format.Model;
import dev.quantscope.format.ModelOpener;
import dev.quantscope.testing.SharedFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LlamaGenerationTest {
    private static final int STEPS = 32;

    @Test
    void greedyStoryMatchesADoublePrecisionReference() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 128, 2)) {
            Tokenizer tok = Tokenizers.forModel(model);
            int[] prompt = tok.encode("Once upon a time", true);
            List<Integer> ours = new ArrayList<>();
            Generation.run(engine, prompt, STEPS, Sampler.greedy(engine.config().vocab()), t -> ours.add(t));

            ReferenceLlama ref = new ReferenceLlama(model, 128);
            List<Integer> theirs = new ArrayList<>();
            double[] logits = null;
            for (int p = 0; p < prompt.length; p++) logits = ref.forward(prompt[p], p);
            for (int s = 0; s < STEPS; s++) {
                int best = 0;
                for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
                theirs.add(best);
                logits = ref.forward(best, prompt.length + s);
            }
            assertEquals(theirs, ours);

            StringBuilder text = new StringBuilder();
            for (int t : ours) text.append(tok.decode(t));
            String story = text.toString();
            System.out.println("Once upon a time" + story);
            long storyWords = Arrays.stream(new String[] {" the ", " was ", " a ", " and ", " he ", " she ", " to "})
                    .filter(story::contains).count();
            assertTrue(storyWords >= 3, "not story-like: " + story);
        }
    }

    @Test
    void engineLogitsMatchTheReferenceAtEveryPosition() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 64, 1)) {
            ReferenceLlama ref = new ReferenceLlama(model, 64);
            int[] tokens = Tokenizers.forModel(model).encode("The cat sat on the mat. It was happy.", true);
            for (int p = 0; p < tokens.length; p++) {
                float[] ours = engine.forward(tokens[p], p);
                double[] theirs = ref.forward(tokens[p], p);
                for (int i = 0; i < theirs.length; i++) assertEquals(theirs[i], ours[i], 1e-3, "pos " + p + " logit " + i);
            }
        }
    }

    @Test
    void batchedPromptGivesTheSameLogitsAsOneTokenAtATime() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine batched = new LlamaEngine(model, 128, 2, 16);
             LlamaEngine single = new LlamaEngine(model, 128, 1, 1)) {
            int[] tokens = Tokenizers.forModel(model).encode("Lily went to the park with her mom and saw a big dog.", true);
            float[][] fromBatch = new float[tokens.length][];
            batched.forwardBatch(tokens, 0, tokens.length, 0, 0, (i, l) -> fromBatch[i] = l.clone());
            for (int p = 0; p < tokens.length; p++) {
                float[] one = single.forward(tokens[p], p);
                for (int i = 0; i < one.length; i++) assertEquals(one[i], fromBatch[p][i], 1e-4f, "pos " + p);
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndDiffersFromGreedy() throws Exception {
        try (Model model = ModelOpener.open(SharedFiles.file("models/stories260K.gguf"));
             LlamaEngine engine = new LlamaEngine(model, 128, 1)) {
            int[] prompt = Tokenizers.forModel(model).encode("Once upon a time", true);
            int vocab = engine.config().vocab();
            int[] a = sample(engine, prompt, new Sampler(vocab, 1.0f, 0.9f, 42));
            int[] b = sample(engine, prompt, new Sampler(vocab, 1.0f, 0.9f, 42));
            int[] greedy = sample(engine, prompt, Sampler.greedy(vocab));
            assertArrayEquals(a, b);
            assertNotEquals(Arrays.toString(greedy), Arrays.toString(a));
        }
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        float[] logits = {0f, 10f, 0f, 9.9f};
        Sampler s = new Sampler(4, 1f, 0.5f, 7);
        for (int i = 0; i < 50; i++) assertEquals(1, s.sample(logits), "top-p 0.5 keeps the single most likely token");
        Sampler wide = new Sampler(4, 1f, 0.99f, 7);
        boolean sawSecond = false;
        for (int i = 0; i < 200; i++) {
            int t = wide.sample(logits);
            assertTrue(t == 1 || t == 3, "token " + t + " is outside the nucleus");
            sawSecond |= t == 3;
        }
        assertTrue(sawSecond);
    }

    private static int[] sample(LlamaEngine engine, int[] prompt, Sampler sampler) {
        List<Integer> out = new ArrayList<>();
        Generation.run(engine, prompt, 24, sampler, t -> out.add(t));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
