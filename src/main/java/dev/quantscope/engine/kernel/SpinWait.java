package dev.quantscope.engine.kernel;

import java.util.concurrent.locks.LockSupport;

/**
 * How the engine's worker pools wait for the next job or for the last chunk of one: spin a little, then park.
 * Jobs of one token follow each other within microseconds while waking a parked thread costs tens of them (a
 * token runs over a hundred jobs), so a short spin first saves most wake-ups; parking after it keeps an idle pool
 * off the CPU. Use: {@code int spins = 0; while (!done) spins = SpinWait.pause(spins, this);}
 */
public final class SpinWait {
    private SpinWait() {}

    /** Spin iterations before parking: tens of microseconds, the gap between two jobs of one token. */
    static final int SPINS = 20_000;

    /** One step of waiting: a spin hint while fewer than {@link #SPINS} were made, else a park; the new count. */
    public static int pause(int spins, Object blocker) {
        if (spins < SPINS) {
            Thread.onSpinWait();
            return spins + 1;
        }
        LockSupport.park(blocker);
        return spins;
    }
}
