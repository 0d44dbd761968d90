package dev.quantscope.app;

import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.Control;
import javafx.scene.control.Labeled;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.text.Text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a person can read in a window: the text of every visible label, button, text node and input, with the
 * tooltips of visible controls. The first-run tour reads it to find what should never be left showing once work has
 * ended: a Java class name, a stack frame, a busy text, an error, or "null" where a value belongs.
 */
record VisibleText(String where, String text, boolean error) {

    /** A Java class name or stack frame: a word ending in Exception or Error, or a package-qualified name. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b[A-Z][A-Za-z0-9]*(Exception|Error)\\b|\\bjava\\.[a-z]+\\.|\\bdev\\.quantscope\\.|\\bat [a-z]+\\.[a-z]");
    /** A value that was never filled in. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\bnull\\b|^NaN$|\\bTODO\\b|\\{[a-z]+}|\\$\\{");
    /** A busy text ("Measuring every preset…"); buttons and menu items ending in "…" open a dialog and are fine. */
    private static final Pattern BUSY = Pattern.compile("^[A-Z][a-z]+ing\\b.*…$");

    static List<VisibleText> of(Node root) {
        List<VisibleText> out = new ArrayList<>();
        collect(root, "", out);
        return out;
    }

    /** Whether any progress indicator or bar is showing: the page still works on something. */
    static boolean busy(Node root) {
        if (!root.isVisible()) return false;
        // The app shows a spinner or progress bar only while work runs (a bar can read full between two phases).
        if (root instanceof ProgressIndicator) return true;
        if (root instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) if (busy(child)) return true;
        }
        return false;
    }

    /** Why this text should not be showing after the work ended, or null when it reads fine. */
    String problem() {
        if (error && !text.isBlank()) return "an error is showing";
        if (CLASS_NAME.matcher(text).find()) return "a Java class name is showing";
        if (PLACEHOLDER.matcher(text).find()) return "a placeholder is showing";
        if (BUSY.matcher(text.strip()).matches()) return "a busy text is still showing";
        return null;
    }

    @Override
    public String toString() {
        return where + ": \"" + text + "\"";
    }

    private static void collect(Node node, String path, List<VisibleText> out) {
        if (!node.isVisible() || node.getOpacity() == 0) return;
        String here = path + "/" + name(node);
        boolean error = node.getStyleClass().contains("state-error");
        switch (node) {
            case Labeled l when l.getText() != null && !l.getText().isEmpty() ->
                    out.add(new VisibleText(here, l.getText(), error));
            case Text t when t.getText() != null && !t.getText().isBlank() && !insideLabeled(t) ->
                    out.add(new VisibleText(here, t.getText(), error));
            case TextInputControl t when t.getText() != null && !t.getText().isEmpty() ->
                    out.add(new VisibleText(here, t.getText(), error));
            default -> {}
        }
        if (node instanceof Control c && !(node instanceof ComboBoxBase<?>)) {
            Tooltip tip = c.getTooltip();
            if (tip != null && tip.getText() != null) {
                out.add(new VisibleText(here + "[tooltip]", tip.getText(), false));
            }
        }
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) collect(child, here, out);
        }
    }

    /** A label's own text node: counted once, through the label. */
    private static boolean insideLabeled(Node n) {
        for (Node p = n.getParent(); p != null; p = p.getParent()) if (p instanceof Labeled) return true;
        return false;
    }

    private static String name(Node n) {
        String id = n.getId();
        return n.getClass().getSimpleName() + (id == null ? "" : "#" + id);
    }
}
