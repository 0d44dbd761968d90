package dev.quantscope.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one Jackson setup behind every command's {@code --json}: commands build records, maps or trees and write them
 * here, one line ({@link #compact}) or indented ({@link #pretty}), never by hand.
 * <p>
 * JSON has no NaN or Infinity. Jackson's default writes them as the strings {@code "NaN"}, {@code "Infinity"}, and
 * hand-made printf output wrote a bare {@code NaN} that no parser accepts; both break a reader that expects a number.
 * A figure that is not a number here means there is no figure (a phase that did not run, a statistic over nothing, no
 * /proc to read), so it comes out as {@code null}: every number the generator is asked to write passes through
 * {@link FiniteOrNull}, whether it comes from a record, a map or a tree node.
 */
final class CliJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder(
                    JsonFactory.builder().addDecorator((factory, generator) -> new FiniteOrNull(generator)).build())
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET) // the command's writer stays open for what follows
            .build();

    private CliJson() {}

    /** An empty object node to build a document in. */
    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** {@code value} as one line of JSON. */
    static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as indented JSON (two spaces, one key a line). */
    static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints {@code value} indented, followed by a line break. */
    static void printPretty(PrintWriter out, Object value) {
        out.println(pretty(value));
    }

    /**
     * {@code value} rounded to {@code decimals} decimals for printing (as the text output prints it), or null when
     * it is not a number.
     */
    static BigDecimal rounded(double value, int decimals) {
        return Double.isFinite(value) ? BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP) : null;
    }

    /** Writes NaN and the infinities as null; every other call goes through unchanged. */
    private static final class FiniteOrNull extends JsonGeneratorDelegate {
        FiniteOrNull(JsonGenerator d) {
            super(d, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            if (Double.isFinite(v)) super.writeNumber(v);
            else writeNull();
        }

        @Override
        public void writeNumber(float v) throws IOException {
            if (Float.isFinite(v)) super.writeNumber(v);
            else writeNull();
        }

        @Override // the delegate would hand a double[] on whole, past writeNumber
        public void writeArray(double[] array, int offset, int length) throws IOException {
            writeStartArray(array, length);
            for (int i = offset; i < offset + length; i++) writeNumber(array[i]);
            writeEndArray();
        }
    }
}
