package dev.quantscope.app.prune;

import dev.quantscope.prune.SparsityMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The zoom belongs to the tensor's shape: a preview recomputed, or replaced by the mask measured on the pruned model,
 * keeps the region the user magnified even though the view is empty while the new result is on its way.
 */
@ExtendWith(ApplicationExtension.class)
class MaskViewZoomTest {

    private static SparsityMask mask(int rows, int cols) {
        return new SparsityMask(rows, cols, new long[(rows * cols + 63) / 64]);
    }

    @Test
    void aRecomputedMaskOfTheSameShapeKeepsTheZoomAndAnotherShapeResetsIt(FxRobot robot) {
        MaskView view = new MaskView();
        robot.interact(() -> {
            view.resize(400, 300);
            view.show(mask(32, 64));
            view.zoomBy(4, 0, 0);
        });
        assertEquals(4, view.zoom(), 1e-9);

        robot.interact(() -> view.show(null));
        assertNull(view.mask());
        robot.interact(() -> view.zoomBy(2, 0, 0));
        assertEquals(4, view.zoom(), 1e-9, "nothing to zoom while the view is empty");
        robot.interact(() -> view.show(mask(32, 64)));
        assertEquals(4, view.zoom(), 1e-9, "the same shape again: the zoom stays");

        robot.interact(() -> view.show(mask(64, 64)));
        assertEquals(1, view.zoom(), 1e-9, "another shape: the whole tensor shows");
    }
}
