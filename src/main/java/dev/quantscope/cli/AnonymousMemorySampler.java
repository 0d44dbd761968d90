package dev.quantscope.cli;

/**
 * The largest anonymous resident memory (RssAnon in /proc/self/status: heap, off-heap arenas, thread stacks) seen
 * while a benchmark runs, sampled every few milliseconds. The kernel keeps a peak only of the whole resident set
 * (VmHWM), which also counts the pages of memory-mapped files read (the model, and an output read back to verify it):
 * page cache the kernel can drop at any time. This is the part a job really holds. Sampled, so a spike shorter than
 * the interval can be missed; NaN where there is no /proc.
 */
final class AnonymousMemorySampler implements AutoCloseable {
    private static final long INTERVAL_MS = 5;

    private final Thread thread;
    private volatile boolean running = true;
    private volatile long peakKb = -1;

    AnonymousMemorySampler() {
        thread = Thread.ofPlatform().daemon().name("rss-anon-sampler").start(() -> {
            while (running) {
                long kb = rssAnonKb();
                if (kb > peakKb) peakKb = kb;
                try {
                    Thread.sleep(INTERVAL_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** The peak so far in MB, or NaN without /proc. */
    double peakMb() {
        long kb = Math.max(peakKb, rssAnonKb());
        return kb < 0 ? Double.NaN : kb / 1024.0;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }

    private static long rssAnonKb() {
        return ProcessStatus.kilobytes("RssAnon");
    }
}
