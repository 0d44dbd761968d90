package dev.quantscope.format.onnx;

import dev.quantscope.format.ModelFormatException;
import dev.quantscope.tensor.Shape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One TensorProto's fields as found in the file: nothing is copied yet, the data fields are kept as positions in
 * the mapped file so that raw_data can become a view and typed values are converted only once validated.
 *
 * @param name         the tensor's own name field ("" when absent)
 * @param dims         row-major dimensions, each >= 0, at most {@link Shape#MAX_DIMS}
 * @param type         element type
 * @param elements     product of {@code dims}, overflow-checked
 * @param raw          the raw_data field, or null
 * @param typedField   the typed field that holds values, or null when none does
 * @param typedValues  every occurrence of {@code typedField}, packed or unpacked, in file order
 * @param external     whether data_location is EXTERNAL
 * @param externalData external_data key/values in file order
 * @param offset       file offset of the TensorProto, for error messages
 */
record OnnxTensorProto(String name, long[] dims, OnnxDataType type, long elements, ProtoField raw,
                       TypedField typedField, List<ProtoField> typedValues, boolean external,
                       Map<String, String> externalData, long offset) {

    static final int DATA_LOCATION_DEFAULT = 0;
    static final int DATA_LOCATION_EXTERNAL = 1;

    /** Reads a TensorProto message; {@code in} spans exactly that message. */
    static OnnxTensorProto parse(ProtoReader in) throws ModelFormatException {
        long at = in.position();
        String name = "";
        List<Long> dims = new ArrayList<>();
        Long dataType = null;
        long dataTypeAt = at;
        ProtoField raw = null;
        TypedField typedField = null;
        List<ProtoField> typedValues = new ArrayList<>();
        int location = DATA_LOCATION_DEFAULT;
        Map<String, String> externalData = new LinkedHashMap<>();
        while (in.hasMore()) {
            ProtoField f = in.next();
            switch (f.number()) {
                case 1 -> readDims(in, f, dims);
                case 2 -> {
                    dataType = (long) in.int32(f, "data_type");
                    dataTypeAt = f.tagOffset();
                }
                case 3 -> throw in.error("segment", f.tagOffset(),
                        "tensors split into segments are not supported");
                case 8 -> name = in.string(f, "name");
                case 9 -> {
                    in.expect(f, WireType.LEN, "raw_data");
                    raw = f;
                }
                case 13 -> {
                    in.expect(f, WireType.LEN, "external_data");
                    readExternalEntry(in.sub(f, in.message() + ".external_data"), f, externalData);
                }
                case 14 -> {
                    location = in.int32(f, "data_location");
                    if (location != DATA_LOCATION_DEFAULT && location != DATA_LOCATION_EXTERNAL) {
                        throw in.error("data_location", f.tagOffset(), "unknown data location " + location);
                    }
                }
                case 4, 5, 6, 7, 10, 11 -> {
                    TypedField tf = TypedField.ofNumber(f.number());
                    boolean packable = tf.elementWire() != WireType.LEN;
                    if (f.wire() != tf.elementWire() && !(packable && f.wire() == WireType.LEN)) {
                        throw in.error(tf.protoName(), f.tagOffset(), "has wire type " + f.wire());
                    }
                    if (typedField != null && typedField != tf) {
                        throw in.error(tf.protoName(), f.tagOffset(),
                                "values in both " + typedField.protoName() + " and " + tf.protoName());
                    }
                    typedField = tf;
                    typedValues.add(f);
                }
                default -> { /* doc_string, metadata_props and future fields: not needed */ }
            }
        }
        if (dataType == null) throw in.error("data_type", at, "is missing");
        final long code = dataType;
        final long codeAt = dataTypeAt;
        OnnxDataType type = OnnxDataType.of(code).orElseThrow(
                () -> in.error("data_type", codeAt, "is " + OnnxDataType.describeUnsupported(code)));
        long[] d = new long[dims.size()];
        long elements = 1;
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i);
            try {
                elements = Math.multiplyExact(elements, d[i]);
            } catch (ArithmeticException overflow) {
                throw in.error("dims", at, "element count of " + dims + " overflows");
            }
        }
        return new OnnxTensorProto(name, d, type, elements, raw, typedField, List.copyOf(typedValues),
                location == DATA_LOCATION_EXTERNAL, externalData, at);
    }

    private static void readDims(ProtoReader in, ProtoField f, List<Long> dims) throws ModelFormatException {
        if (f.wire() == WireType.LEN) {
            ProtoReader packed = in.sub(f, in.message() + ".dims");
            while (packed.hasMore()) addDim(in, f, dims, packed.varint("dims[" + dims.size() + "]"));
        } else {
            addDim(in, f, dims, in.int64(f, "dims"));
        }
    }

    private static void addDim(ProtoReader in, ProtoField f, List<Long> dims, long d) throws ModelFormatException {
        if (d < 0) throw in.error("dims[" + dims.size() + "]", f.tagOffset(), "dimension " + d + " is negative");
        if (dims.size() >= Shape.MAX_DIMS) {
            throw in.error("dims", f.tagOffset(), "more than " + Shape.MAX_DIMS + " dimensions");
        }
        dims.add(d);
    }

    private static void readExternalEntry(ProtoReader entry, ProtoField f, Map<String, String> out)
            throws ModelFormatException {
        String key = null;
        String value = "";
        while (entry.hasMore()) {
            ProtoField e = entry.next();
            if (e.number() == 1) key = entry.string(e, "key");
            else if (e.number() == 2) value = entry.string(e, "value");
        }
        if (key == null) throw entry.error("key", f.tagOffset(), "is missing");
        if (out.put(key, value) != null) throw entry.error("key", f.tagOffset(), "'" + key + "' appears twice");
    }

    /** Bytes of the tensor's data in raw form. */
    long rawBytes() {
        return type.rawBytes(elements);
    }

    Shape shape() { return Shape.rowMajor(dims); }
}
