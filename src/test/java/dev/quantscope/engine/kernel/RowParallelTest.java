package dev.quantscope.engine.kernel;

import dev.quantscope.cli.SyntheticWeights;
import dev.quantscope.tensor.DType;
import dev.quantscope.tensor.TensorInfo;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.*;

class RowParallelTest {

    @Test
    void everyIndexIsRunExactlyOnceAcrossManyJobs() {
        try (RowParallel pool = new RowParallel(3)) {
            for (int n : new int[] {1, 2, 7, 64, 1000, 4097}) {
                for (int round = 0; round < 50; round++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.forRange(n, 1, (s, e) -> {
                        assertTrue(s < e);
                        for (int i = s; i < e; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " index " + i);
                }
            }
        }
    }

    /**
     * Jobs of alternating chunk counts, as the engine runs them (a large matrix, then a small one): a worker that
     * had read a finished job's claim word once compared its last chunk index with the next job's larger count
     * and ran a chunk of a job not yet published (seen as a NullPointerException in generation).
     */
    @Test
    void jobsOfAlternatingSizesNeverRunAnotherJobsChunk() {
        try (RowParallel pool = new RowParallel(2)) {
            int[] sizes = {2, 4097, 3, 1000, 5, 64};
            for (int round = 0; round < 3000; round++) {
                int n = sizes[round % sizes.length];
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                int job = round;
                int[] owner = {job};
                pool.forRange(n, 1, (s, e) -> {
                    assertEquals(job, owner[0], "a chunk of another job");
                    for (int i = s; i < e; i++) hits.incrementAndGet(i);
                });
                owner[0] = -1;
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " index " + i);
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownToTheCallerAndThePoolStaysUsable() {
        try (RowParallel pool = new RowParallel(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forRange(100, 1, (s, end) -> {
                if (s == 0) throw new IllegalStateException("boom");
            }));
            assertEquals("boom", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            pool.forRange(100, 1, (s, end) -> { for (int i = s; i < end; i++) hits.incrementAndGet(i); });
            for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i));
        }
    }

    @Test
    void parallelMatvecEqualsSequentialForEveryType() {
        try (Arena arena = Arena.ofShared(); RowParallel pool = new RowParallel(2)) {
            for (DType type : Kernels.supportedTypes()) {
                TensorInfo t = SyntheticWeights.matrix(arena, type, 203, 512, type.ordinal());
                WeightMatrix m = WeightMatrix.of(t);
                Activation x = Activation.of(KernelsTest.activation(3, 512));
                float[] seq = new float[203], par = new float[203];
                m.matvec(x, seq, 0, 203);
                for (int round = 0; round < 20; round++) {
                    java.util.Arrays.fill(par, Float.NaN);
                    x.changed(512); // every round re-quantizes, shared by the threads of the pool
                    pool.matvec(m, x, par);
                    assertArrayEquals(seq, par, type.toString());
                }
            }
        }
    }

    /** Threads racing to quantize the same fresh activation: one computes, all see the finished form. */
    @Test
    void concurrentCallersShareOneQuantizationPerChange() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            TensorInfo q4k = SyntheticWeights.matrix(arena, DType.Q4_K, 64, 1024, 5);
            TensorInfo q80 = SyntheticWeights.matrix(arena, DType.Q8_0, 64, 1024, 6);
            WeightMatrix a = WeightMatrix.of(q4k), b = WeightMatrix.of(q80);
            Activation x = new Activation(1024);
            float[] expectA = new float[64], expectB = new float[64];
            for (int round = 0; round < 30; round++) {
                float[] v = KernelsTest.activation(round, 1024);
                System.arraycopy(v, 0, x.values(), 0, 1024);
                x.changed(1024);
                Activation fresh = Activation.of(v);
                a.matvec(fresh, expectA, 0, 64);
                b.matvec(fresh, expectB, 0, 64);
                float[] outA = new float[64], outB = new float[64];
                int threads = 4;
                CountDownLatch start = new CountDownLatch(1);
                Thread[] ts = new Thread[threads];
                Throwable[] err = new Throwable[threads];
                for (int i = 0; i < threads; i++) {
                    int lo = i * 16, hi = lo + 16, k = i;
                    ts[i] = new Thread(() -> {
                        try {
                            start.await();
                            a.matvec(x, outA, lo, hi);
                            b.matvec(x, outB, lo, hi);
                        } catch (Throwable t) {
                            err[k] = t;
                        }
                    });
                    ts[i].start();
                }
                start.countDown();
                for (Thread t : ts) t.join();
                for (Throwable t : err) if (t != null) throw new AssertionError(t);
                assertArrayEquals(expectA, outA, "round " + round);
                assertArrayEquals(expectB, outB, "round " + round);
            }
        }
    }
}
