package dev.quantscope.app.compress;

import dev.quantscope.quant.scheme.Binary;
import dev.quantscope.quant.scheme.Cast;
import dev.quantscope.quant.scheme.Fp4;
import dev.quantscope.quant.scheme.Fp8;
import dev.quantscope.quant.scheme.GgmlBlock;
import dev.quantscope.quant.scheme.Granularity;
import dev.quantscope.quant.scheme.IntegerScheme;
import dev.quantscope.quant.scheme.Keep;
import dev.quantscope.quant.scheme.Mxfp4;
import dev.quantscope.quant.scheme.Nf4;
import dev.quantscope.quant.scheme.QuantScheme;
import dev.quantscope.quant.scheme.Rounding;
import dev.quantscope.quant.scheme.Ternary;
import dev.quantscope.tensor.DType;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds a {@link QuantScheme} from its parts: family, then only the settings that family has (bits, symmetry,
 * granularity, group size, rounding; FP8 format; NF4 double quantization; the ggml type). The scheme property
 * changes at once with every control, and setting it from outside (a loaded recipe) moves the controls.
 */
final class SchemeBuilder extends VBox {

    enum Family {
        GGML("ggml block type"), INTEGER("integer (2–8 bits)"), TERNARY("ternary {−1, 0, 1}"), BINARY("binary {−1, 1}"),
        FP8("FP8"), NF4("NF4"), FP4("FP4 E2M1"), MXFP4("MXFP4");

        final String label;

        Family(String label) { this.label = label; }

        static Family of(QuantScheme s) {
            return switch (s) {
                case GgmlBlock _, Cast _, Keep _ -> GGML;
                case IntegerScheme _ -> INTEGER;
                case Ternary _ -> TERNARY;
                case Binary _ -> BINARY;
                case Fp8 _ -> FP8;
                case Nf4 _ -> NF4;
                case Fp4 _ -> FP4;
                case Mxfp4 _ -> MXFP4;
            };
        }
    }

    enum Unit { TENSOR("per tensor"), CHANNEL("per channel"), GROUP("per group");
        final String label;
        Unit(String label) { this.label = label; }
    }

    private final ObjectProperty<QuantScheme> scheme = new SimpleObjectProperty<>(new GgmlBlock(DType.Q4_K));
    final ComboBox<Family> family = combo(List.of(Family.values()), f -> f.label);
    final ComboBox<DType> ggmlType = combo(Targets.quantTypes(), DType::name);
    final Spinner<Integer> bits = new Spinner<>(new SpinnerValueFactory.IntegerSpinnerValueFactory(2, 8, 4));
    final CheckBox symmetric = new CheckBox("symmetric (no zero point)");
    final ComboBox<Unit> unit = combo(List.of(Unit.values()), u -> u.label);
    final ComboBox<Integer> groupSize = combo(List.of(16, 32, 64, 128, 256), String::valueOf);
    final ComboBox<Rounding> rounding = combo(List.of(Rounding.values()), r -> r == Rounding.NEAREST
            ? "round to nearest" : "MSE-optimal clipping");
    final ComboBox<Fp8.Format> fp8Format = combo(List.of(Fp8.Format.values()), Enum::name);
    final CheckBox doubleQuant = new CheckBox("double quantization of the scales");
    private final Label idLabel = new Label();
    private final Map<Node, List<Family>> shownFor;
    private boolean updating;
    private HBox groupLine;

    SchemeBuilder() {
        setSpacing(6);
        family.setId("schemeFamily");
        ggmlType.setId("schemeGgmlType");
        bits.setId("schemeBits");
        symmetric.setId("schemeSymmetric");
        unit.setId("schemeUnit");
        groupSize.setId("schemeGroupSize");
        rounding.setId("schemeRounding");
        fp8Format.setId("schemeFp8Format");
        doubleQuant.setId("schemeDoubleQuant");
        idLabel.setId("schemeId");
        idLabel.getStyleClass().add("mono");
        groupSize.setEditable(true);
        groupSize.setConverter(new StringConverter<>() {
            @Override public String toString(Integer v) { return v == null ? "" : v.toString(); }
            @Override public Integer fromString(String s) {
                try { return Integer.valueOf(s.strip()); } catch (NumberFormatException e) { return groupSize.getValue(); }
            }
        });
        bits.setEditable(true);
        List<Family> withUnit = List.of(Family.INTEGER, Family.TERNARY, Family.BINARY, Family.FP8);
        shownFor = new java.util.LinkedHashMap<>();
        row("Family", family, List.of(Family.values()));
        row("Type", ggmlType, List.of(Family.GGML));
        row("Bits", bits, List.of(Family.INTEGER));
        row("", symmetric, List.of(Family.INTEGER));
        row("Scale per", unit, withUnit);
        row("Group size", groupSize, List.of(Family.INTEGER, Family.TERNARY, Family.BINARY, Family.NF4, Family.FP4));
        row("Rounding", rounding, List.of(Family.INTEGER));
        row("Format", fp8Format, List.of(Family.FP8));
        row("", doubleQuant, List.of(Family.NF4));
        row("Id", idLabel, List.of(Family.values()));
        show(scheme.get());
        family.valueProperty().addListener((_, _, _) -> rebuild());
        ggmlType.valueProperty().addListener((_, _, _) -> rebuild());
        bits.valueProperty().addListener((_, _, _) -> rebuild());
        symmetric.selectedProperty().addListener((_, _, _) -> rebuild());
        unit.valueProperty().addListener((_, _, _) -> rebuild()); // also shows or hides the group size
        groupSize.valueProperty().addListener((_, _, _) -> rebuild());
        rounding.valueProperty().addListener((_, _, _) -> rebuild());
        fp8Format.valueProperty().addListener((_, _, _) -> rebuild());
        doubleQuant.selectedProperty().addListener((_, _, _) -> rebuild());
        scheme.addListener((_, _, s) -> { if (!updating) show(s); });
    }

    ObjectProperty<QuantScheme> schemeProperty() { return scheme; }

    /** One "label: control" line, shown only for {@code families} (hidden lines take no space). */
    private void row(String label, Node control, List<Family> families) {
        Label l = new Label(label);
        l.setMinWidth(84);
        l.setPrefWidth(84);
        HBox line = new HBox(8, l, control);
        line.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        if (control instanceof ComboBox<?> c) {
            c.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(c, Priority.ALWAYS);
        }
        getChildren().add(line);
        shownFor.put(line, families);
        if (control == groupSize) groupLine = line;
    }

    /** The scheme the controls describe; a bad group size leaves the last good scheme in place. */
    private void rebuild() {
        if (updating) return;
        Family f = family.getValue();
        layoutFor(f);
        try {
            QuantScheme s = switch (f) {
                case GGML -> new GgmlBlock(ggmlType.getValue());
                case INTEGER -> new IntegerScheme(bits.getValue(), symmetric.isSelected(), granularity(), rounding.getValue());
                case TERNARY -> new Ternary(granularity());
                case BINARY -> new Binary(granularity());
                case FP8 -> {
                    if (unit.getValue() == Unit.GROUP) {
                        throw new IllegalArgumentException("FP8 scales are per tensor or per channel");
                    }
                    yield new Fp8(fp8Format.getValue(), unit.getValue() == Unit.TENSOR ? Granularity.TENSOR
                            : Granularity.CHANNEL);
                }
                case NF4 -> new Nf4(groupSize.getValue(), doubleQuant.isSelected());
                case FP4 -> new Fp4(groupSize.getValue());
                case MXFP4 -> new Mxfp4();
            };
            updating = true;
            scheme.set(s);
            idLabel.setText(s.id());
        } catch (IllegalArgumentException | NullPointerException e) {
            idLabel.setText("— " + dev.quantscope.failure.FailureDescriber.describe(e));
        } finally {
            updating = false;
        }
    }

    private Granularity granularity() {
        return switch (unit.getValue()) {
            case TENSOR -> Granularity.TENSOR;
            case CHANNEL -> Granularity.CHANNEL;
            case GROUP -> Granularity.group(groupSize.getValue());
        };
    }

    /** Moves every control to {@code s}'s settings, keeping the others' last values. */
    private void show(QuantScheme s) {
        updating = true;
        try {
            family.setValue(Family.of(s));
            if (unit.getValue() == null) unit.setValue(Unit.GROUP);
            if (groupSize.getValue() == null) groupSize.setValue(128);
            if (rounding.getValue() == null) rounding.setValue(Rounding.NEAREST);
            if (fp8Format.getValue() == null) fp8Format.setValue(Fp8.Format.E4M3);
            if (ggmlType.getValue() == null) ggmlType.setValue(DType.Q4_K);
            switch (s) {
                case GgmlBlock g -> ggmlType.setValue(g.type());
                case Cast _, Keep _ -> { }
                case IntegerScheme i -> {
                    bits.getValueFactory().setValue(i.bits());
                    symmetric.setSelected(i.symmetric());
                    showGranularity(i.granularity());
                    rounding.setValue(i.rounding());
                }
                case Ternary t -> showGranularity(t.granularity());
                case Binary b -> showGranularity(b.granularity());
                case Fp8 f8 -> {
                    fp8Format.setValue(f8.format());
                    showGranularity(f8.granularity());
                }
                case Nf4 n -> {
                    groupSize.setValue(n.block());
                    doubleQuant.setSelected(n.doubleQuant());
                }
                case Fp4 f4 -> groupSize.setValue(f4.block());
                case Mxfp4 _ -> { }
            }
            idLabel.setText(s.id());
            layoutFor(Family.of(s));
        } finally {
            updating = false;
        }
    }

    private void showGranularity(Granularity g) {
        switch (g) {
            case Granularity.PerTensor _ -> unit.setValue(Unit.TENSOR);
            case Granularity.PerChannel _ -> unit.setValue(Unit.CHANNEL);
            case Granularity.Group gr -> {
                unit.setValue(Unit.GROUP);
                groupSize.setValue(gr.size());
            }
        }
    }

    private void layoutFor(Family f) {
        shownFor.forEach((node, families) -> {
            boolean on = families.contains(f);
            if (node == groupLine) {
                // groups only matter when the scale is per group (or for the block formats)
                on &= f == Family.NF4 || f == Family.FP4 || unit.getValue() == Unit.GROUP;
            }
            node.setVisible(on);
            node.setManaged(on);
        });
    }

    private static <T> ComboBox<T> combo(List<T> items, Function<T, String> name) {
        ComboBox<T> c = new ComboBox<>(FXCollections.observableArrayList(new ArrayList<>(items)));
        c.setConverter(new StringConverter<>() {
            @Override public String toString(T v) { return v == null ? "" : name.apply(v); }
            @Override public T fromString(String s) { return null; }
        });
        return c;
    }
}
