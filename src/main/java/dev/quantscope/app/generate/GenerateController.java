package dev.quantscope.app.generate;

import dev.quantscope.pipeline.plan.Plans;
import dev.quantscope.app.common.FxController;
import dev.quantscope.app.common.Numbers;
import dev.quantscope.format.Model;
import dev.quantscope.quant.preset.Preset;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextArea;
import javafx.scene.layout.HBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import javafx.util.StringConverter;

import java.util.ArrayList;
import java.util.List;

/** Binds the Generate page to its {@link GenerateViewModel}: settings, the two streaming panes, Stop. */
public final class GenerateController implements FxController {
    private final GenerateViewModel vm;

    @FXML private TextArea promptArea;
    @FXML private ComboBox<VariantChoice> variantCombo;
    @FXML private Spinner<Integer> tokensSpinner;
    @FXML private Spinner<Double> temperatureSpinner;
    @FXML private Spinner<Integer> seedSpinner;
    @FXML private Button generateButton;
    @FXML private Button stopButton;
    @FXML private HBox activityBox;
    @FXML private Label activityLabel;
    @FXML private ProgressBar activityProgress;
    @FXML private Label samplingHint;
    @FXML private Label variantProblem;
    @FXML private Label originalTitle;
    @FXML private Label originalDetail;
    @FXML private Label variantTitle;
    @FXML private Label variantDetail;
    @FXML private ScrollPane originalScroll;
    @FXML private ScrollPane variantScroll;
    @FXML private TextFlow originalFlow;
    @FXML private TextFlow variantFlow;
    @FXML private Label summaryLabel;

    public GenerateController(GenerateViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        promptArea.textProperty().bindBidirectional(vm.promptProperty());
        variantCombo.setItems(FXCollections.observableArrayList(choices(vm.model())));
        variantCombo.setEditable(true);
        variantCombo.setConverter(new StringConverter<>() {
            @Override
            public String toString(VariantChoice c) { return c == null ? "" : c.label(); }

            @Override
            public VariantChoice fromString(String s) {
                variantProblem.setText("");
                if (s == null || s.isBlank()) return null;
                try {
                    return VariantChoice.parse(s);
                } catch (IllegalArgumentException e) {
                    variantProblem.setText(e.getMessage());
                    return null;
                }
            }
        });
        variantCombo.valueProperty().bindBidirectional(vm.variantProperty());

        tokensSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 4096, vm.maxTokensProperty().get(), 8));
        tokensSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.maxTokensProperty().set(v); });
        vm.maxTokensProperty().addListener((_, _, v) -> tokensSpinner.getValueFactory().setValue(v.intValue()));
        temperatureSpinner.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(0, 2, vm.temperatureProperty().get(), 0.1));
        temperatureSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.temperatureProperty().set(v.floatValue()); });
        vm.temperatureProperty().addListener((_, _, v) -> temperatureSpinner.getValueFactory().setValue(v.doubleValue()));
        seedSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, Integer.MAX_VALUE, (int) vm.seedProperty().get()));
        seedSpinner.valueProperty().addListener((_, _, v) -> { if (v != null) vm.seedProperty().set(v); });
        vm.seedProperty().addListener((_, _, v) -> seedSpinner.getValueFactory().setValue((int) Math.min(Integer.MAX_VALUE, v.longValue())));
        // The seed only matters when sampling: greyed out for greedy decoding, so nobody wonders why it does nothing.
        seedSpinner.disableProperty().bind(vm.temperatureProperty().map(t -> t == 0f).orElse(true));
        vm.temperatureProperty().addListener((_, _, _) -> showSamplingHint());
        showSamplingHint();

        generateButton.setOnAction(_ -> vm.generate());
        stopButton.setOnAction(_ -> vm.stop());
        stopButton.disableProperty().bind(vm.job().runningProperty().not());
        activityBox.visibleProperty().bind(vm.job().runningProperty());
        activityLabel.textProperty().bind(vm.job().titleProperty());
        activityProgress.progressProperty().bind(vm.job().progressProperty());
        summaryLabel.textProperty().bind(vm.summaryProperty());

        originalTitle.setText("Original");
        originalDetail.setText(Numbers.bytes(vm.model().tensorBytes()));
        variantTitle.textProperty().bind(vm.runningVariantProperty().map(v -> v.isEmpty() ? "Compressed" : v));
        vm.variantBytesProperty().addListener((_, _, b) -> showVariantDetail(b.longValue()));
        showVariantDetail(0);

        vm.runProperty().addListener((_, _, _) -> {
            restart(originalFlow);
            restart(variantFlow);
        });
        vm.original().addListener((ListChangeListener<GeneratedToken>) c -> onTokens(c, originalFlow, originalScroll, false));
        vm.compressed().addListener((ListChangeListener<GeneratedToken>) c -> onTokens(c, variantFlow, variantScroll, true));
    }

    /** Scheme ids offered besides the presets; any other id can be typed into the box. */
    static final List<String> SAMPLE_SCHEMES = List.of("ggml:Q8_0", "ggml:Q4_K", "ggml:Q4_0", "int8-sym-row-rtn",
            "int4-asym-g128-mse", "int4-asym-g32-mse", "nf4-b64-dq", "fp8-e4m3-row", "fp4-e2m1-b32", "mxfp4",
            "int3-asym-g32-mse", "ternary-row");

    /**
     * Presets first (the usual choice), then sample scheme ids: only those that apply to this model (planning
     * only, no quantization), so every entry can run.
     */
    static List<VariantChoice> choices(Model model) {
        List<VariantChoice> out = new ArrayList<>();
        for (Preset p : Preset.values()) addIfApplicable(out, VariantChoice.of(p), model);
        for (String id : SAMPLE_SCHEMES) addIfApplicable(out, VariantChoice.parse(id), model);
        return out;
    }

    private static void addIfApplicable(List<VariantChoice> out, VariantChoice c, Model model) {
        try {
            if (Plans.resolve(c.scheme().recipe(), model).problems().isEmpty()) out.add(c);
        } catch (RuntimeException refused) {
            // e.g. rows of 172 with no Q8_0 fallback, or a model that is no LLM: quantizing would fail, so not offered
        }
    }

    private void showSamplingHint() {
        samplingHint.setText(vm.temperatureProperty().get() == 0
                ? "Greedy decoding: both models pick their most likely token, so every difference comes from the weights."
                : "Sampling with top-p " + GenerateViewModel.TOP_P + "; both sides use the same seed.");
    }

    private void showVariantDetail(long bytes) {
        long original = vm.model().tensorBytes();
        variantDetail.setText(bytes == 0 ? "" : Numbers.bytes(bytes) + "  ·  "
                + String.format(java.util.Locale.ROOT, "%.1f %% of the original", 100.0 * bytes / original));
    }

    private void onTokens(ListChangeListener.Change<? extends GeneratedToken> c, TextFlow flow, ScrollPane scroll,
                          boolean variant) {
        while (c.next()) {
            for (GeneratedToken t : c.getAddedSubList()) {
                Text text = new Text(t.text());
                text.getStyleClass().add("token");
                text.setUserData(t.index());
                flow.getChildren().add(text);
                if (variant) mark(text, t.index());
                else if (t.index() < vm.compressed().size()) mark(tokenNode(variantFlow, t.index()), t.index());
            }
        }
        // Follow the newest text once the flow has been laid out again.
        Platform.runLater(() -> scroll.setVvalue(scroll.getVmax()));
    }

    private void mark(Text text, int index) {
        if (text == null) return;
        text.getStyleClass().remove("token-differs");
        if (vm.differs(index)) text.getStyleClass().add("token-differs");
    }

    /** The Text node of generated token {@code index} (the flow starts with the prompt). */
    private static Text tokenNode(TextFlow flow, int index) {
        ObservableList<Node> nodes = flow.getChildren();
        int at = index + 1;
        return at < nodes.size() && nodes.get(at) instanceof Text t && Integer.valueOf(index).equals(t.getUserData()) ? t : null;
    }

    private void restart(TextFlow flow) {
        Text prompt = new Text(vm.runningPromptProperty().get());
        prompt.getStyleClass().add("prompt-text");
        flow.getChildren().setAll(prompt);
    }
}
