package dev.quantscope.app.compress;

import dev.quantscope.quant.preset.Preset;
import javafx.scene.control.ListCell;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;

import java.util.Optional;
import java.util.function.Function;

/**
 * One preset in the chooser's list: a preset llama-quantize refuses for this model is greyed out, cannot be clicked,
 * and says why in its tooltip. The cell is not disabled itself, since a disabled node shows no tooltip.
 */
final class PresetCell extends ListCell<Preset> {
    static final String UNAVAILABLE = "unavailable";

    private final Function<Preset, Optional<String>> refusalOf;
    private boolean refused;

    PresetCell(Function<Preset, Optional<String>> refusalOf) {
        this.refusalOf = refusalOf;
        // Pressing selects in the list's behaviour, releasing commits and closes the popup: a refused preset gets neither.
        addEventFilter(MouseEvent.MOUSE_PRESSED, e -> { if (refused) e.consume(); });
        addEventFilter(MouseEvent.MOUSE_RELEASED, e -> { if (refused) e.consume(); });
    }

    @Override
    protected void updateItem(Preset p, boolean empty) {
        super.updateItem(p, empty);
        Optional<String> refusal = empty || p == null ? Optional.empty() : refusalOf.apply(p);
        refused = refusal.isPresent();
        setText(empty || p == null ? null : p.name());
        getStyleClass().remove(UNAVAILABLE);
        if (refused) getStyleClass().add(UNAVAILABLE);
        setTooltip(refusal.map(r -> {
            Tooltip t = new Tooltip("llama-quantize refuses this preset for this model: " + r);
            t.setWrapText(true);
            t.setMaxWidth(460);
            return t;
        }).orElse(null));
    }

    /** Whether the cell shows a preset that cannot be chosen. */
    boolean refused() { return refused; }
}
