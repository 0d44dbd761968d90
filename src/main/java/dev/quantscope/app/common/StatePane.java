package dev.quantscope.app.common;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * Shows its content when a result is ready, and otherwise a centred message for the state: a hint when idle, a
 * spinner while computing, the reason when it failed. Every chart sits in one, so no chart is ever silently empty.
 */
public final class StatePane extends StackPane {
    /** What a tensor's view says when its computation was cancelled. */
    public static final String TENSOR_VIEW_CANCELLED = "Cancelled. Select the tensor again to recompute.";
    private final Node content;
    private final Label message = new Label();
    private final ProgressIndicator spinner = new ProgressIndicator();
    private final VBox overlay = new VBox(10, spinner, message);
    private final String idleText;
    private final String cancelledText;

    public StatePane(Node content, String idleText) {
        this(content, idleText, TENSOR_VIEW_CANCELLED);
    }

    /** {@code cancelledText} says what was stopped and how to get it back, where that is not a tensor's view. */
    public StatePane(Node content, String idleText, String cancelledText) {
        this.content = content;
        this.idleText = idleText;
        this.cancelledText = cancelledText;
        getStyleClass().add("state-pane");
        message.getStyleClass().add("state-message");
        message.setWrapText(true);
        message.setMaxWidth(420);
        spinner.setMaxSize(36, 36);
        overlay.setAlignment(Pos.CENTER);
        overlay.setMouseTransparent(true);
        getChildren().addAll(content, overlay);
        show(Async.idle());
    }

    public void show(Async<?> state) {
        switch (state) {
            case Async.Done<?> _ -> set(true, false, "", false);
            case Async.Idle<?> _ -> set(false, false, idleText, false);
            case Async.Running<?> _ -> set(false, true, "Computing…", false);
            case Async.Cancelled<?> _ -> set(false, false, cancelledText, false);
            case Async.Failed<?> f -> set(false, false, f.message(), true);
        }
    }

    private void set(boolean showContent, boolean busy, String text, boolean error) {
        content.setVisible(showContent);
        overlay.setVisible(!showContent);
        spinner.setVisible(busy);
        spinner.setManaged(busy);
        message.setText(text);
        message.getStyleClass().remove("state-error");
        if (error) message.getStyleClass().add("state-error");
    }

    public String messageText() { return message.getText(); }
}
