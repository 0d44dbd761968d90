package dev.quantscope.task;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProgressSliceTest {

    /** Records every report as {done, total}. */
    private static final class Recorder implements ProgressMonitor {
        final List<long[]> reports = new ArrayList<>();
        boolean cancelled;

        @Override public void progress(long done, long total) { reports.add(new long[] {done, total}); }
        @Override public boolean isCancelled() { return cancelled; }

        long lastDone() { return reports.getLast()[0]; }
    }

    @Test
    void aPartsOwnUnitsMapOntoItsSliceOfTheJobsScale() {
        Recorder job = new Recorder();
        ProgressMonitor second = new ProgressSlice(job, 850, 150, 1000);
        second.progress(0, 7);
        assertEquals(850, job.lastDone());
        second.progress(1, 3);
        assertEquals(900, job.lastDone());
        second.progress(7, 7);
        assertEquals(1000, job.lastDone());
        job.reports.forEach(r -> assertEquals(1000, r[1]));
    }

    @Test
    void phasesInARowMoveTheBarOnceFromStartToEnd() {
        Recorder job = new Recorder();
        new ProgressSlice(job, 0, 600, 1000).progress(4, 4);
        long endOfFirst = job.lastDone();
        new ProgressSlice(job, 600, 400, 1000).progress(0, 9);
        assertEquals(endOfFirst, job.lastDone());
    }

    @Test
    void progressOutsideThePartIsClampedAndAnEmptyPartIsDone() {
        Recorder job = new Recorder();
        ProgressMonitor part = new ProgressSlice(job, 100, 200, 1000);
        part.progress(-5, 10);
        assertEquals(100, job.lastDone());
        part.progress(12, 10);
        assertEquals(300, job.lastDone());
        part.progress(0, 0);
        assertEquals(300, job.lastDone());
    }

    @Test
    void cancellingTheJobCancelsItsParts() {
        Recorder job = new Recorder();
        ProgressMonitor part = new ProgressSlice(new ProgressSlice(job, 0, 500, 1000), 10, 20, 100);
        part.checkCancelled();
        job.cancelled = true;
        assertThrows(CancellationException.class, part::checkCancelled);
    }

    @Test
    void aSliceBeyondTheScaleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ProgressSlice(ProgressMonitor.NONE, 900, 200, 1000));
        assertThrows(IllegalArgumentException.class, () -> new ProgressSlice(ProgressMonitor.NONE, -1, 10, 1000));
    }
}
