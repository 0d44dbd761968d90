package dev.quantscope.format;

import dev.quantscope.failure.FailureDescriber;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A text file named like a model is told as not being that kind of file, before any detail of where. */
class NotAModelFileTest {
    static final String TEXT = "hello, this is text and no model\n";

    @ParameterizedTest
    @CsvSource({
            "x.gguf, a GGUF file, magic at byte 0",
            "x.safetensors, a safetensors file, header length at byte 0",
            "x.pt, a PyTorch checkpoint, zip end record",
            "x.bin, a PyTorch checkpoint, zip end record",
            "x.onnx, an ONNX model, at byte"})
    void textNamedAsAModelIsNotThatKind(String name, String kind, String where, @TempDir Path dir) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, TEXT);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelOpener.open(file));
        String sentence = FailureDescriber.describe(e);
        assertEquals(e.getMessage(), sentence, "a reader's message is its own sentence");
        assertTrue(sentence.startsWith(file + ": not " + kind + " (it starts with \"hell"), sentence);
        assertTrue(sentence.contains(where), "the offset detail follows: " + sentence);
        assertFalse(sentence.contains("Exception"), sentence);
    }

    @ParameterizedTest
    @CsvSource({"x.gguf, a GGUF file", "x.safetensors, a safetensors file", "x.pt, a PyTorch checkpoint",
            "x.onnx, an ONNX model"})
    void anEmptyFileIsSaidToBeEmpty(String name, String kind, @TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve(name));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelOpener.open(file));
        assertTrue(e.getMessage().startsWith(file + ": not " + kind + " (it is empty"), e.getMessage());
    }
}
