package dev.quantscope.train.optim;

/** The learning rate at each optimizer step (0-based), given the run's total number of steps. */
public sealed interface LearningRateSchedule {

    double rate(long step, long totalSteps);

    double base();

    record Constant(double base) implements LearningRateSchedule {
        public Constant {
            requirePositive(base);
        }

        @Override
        public double rate(long step, long totalSteps) {
            return base;
        }
    }

    /**
     * A linear warm-up over {@code warmupSteps}, then a half cosine from {@code base} down to {@code minimum} at the last
     * step (SGDR without restarts, Loshchilov and Hutter, 2017).
     */
    record Cosine(double base, double minimum, long warmupSteps) implements LearningRateSchedule {
        public Cosine {
            requirePositive(base);
            if (minimum < 0 || minimum > base) throw new IllegalArgumentException("minimum rate " + minimum + " is not in [0, " + base + "].");
            if (warmupSteps < 0) throw new IllegalArgumentException("warm-up of " + warmupSteps + " steps.");
        }

        @Override
        public double rate(long step, long totalSteps) {
            if (step < warmupSteps) return base * (step + 1) / warmupSteps;
            long span = Math.max(1, totalSteps - warmupSteps - 1);
            double progress = Math.min(1.0, (double) (step - warmupSteps) / span);
            return minimum + (base - minimum) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }
    }

    /** {@code base · gamma^⌊step / every⌋}, PyTorch's StepLR counted in optimizer steps. */
    record Step(double base, double gamma, long every) implements LearningRateSchedule {
        public Step {
            requirePositive(base);
            if (gamma <= 0 || gamma > 1) throw new IllegalArgumentException("step factor " + gamma + " is not in (0, 1].");
            if (every < 1) throw new IllegalArgumentException("a step every " + every + " steps.");
        }

        @Override
        public double rate(long step, long totalSteps) {
            return base * Math.pow(gamma, (double) (step / every));
        }
    }

    private static void requirePositive(double base) {
        if (!(base > 0) || Double.isInfinite(base)) throw new IllegalArgumentException("learning rate " + base + " is not positive.");
    }
}
