package org.isthmus.gateway.routing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks in order per key and keys in parallel (DESIGN.md "Concurrency"): a task for a key starts
 * only when the stage of the previous task for the same key has completed, so the state of one user is
 * never touched by two threads at once and needs no lock, while different users proceed on the pool's
 * threads. A task returns a stage (it may wait for a store write) without blocking its thread.
 *
 * <p>A task whose stage takes longer than the step limit is abandoned with a {@link TimeoutException}
 * so that one stuck write cannot stop a user's lane for good.
 *
 * <p>How it is built (issue 7): each busy key has a {@link Lane}, a queue and a running flag. A task
 * for an idle key hands the lane to the pool; a worker runs the lane's next task and, if more are
 * queued, hands the lane back for the next one; a task whose stage is not complete yet holds the lane
 * until the stage completes, without holding a thread. No chain of futures per task, and no
 * timer task per task for the step limit: one sweep, scheduled only while some lane waits for a stage,
 * looks at the waiting lanes' start times a few times per step limit.
 */
public final class Lanes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lanes.class);

    /** The sweep's period is a quarter of the step limit, within these bounds. */
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ExecutorService pool;
    private final ScheduledThreadPoolExecutor watch;
    private final long stepLimitNanos;
    private final long sweepNanos;
    /** The lanes with work queued, running or waiting for a stage; an idle key has no entry. */
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Whether a sweep is scheduled. */
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /** How many lanes wait for an incomplete stage (the only steps the sweep can find late). */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Makes a lane; a field, so that a submit does not allocate a function capturing {@code this}. */
    private final Function<String, Lane> newLane = Lane::new;

    /**
     * @param threads   the pool's threads
     * @param stepLimit how long one task's stage may take
     */
    public Lanes(int threads, Duration stepLimit) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "isthmus-lane-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.watch = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "isthmus-lane-watch");
            t.setDaemon(true);
            return t;
        });
        this.stepLimitNanos = stepLimit.toNanos();
        this.sweepNanos = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, stepLimitNanos / 4));
    }

    /**
     * Runs {@code task} on {@code key}'s lane after every task submitted for the key before it; completes
     * with the task's result, or exceptionally if it throws, fails or exceeds the step limit.
     */
    public <T> CompletableFuture<T> submit(String key, Supplier<? extends CompletionStage<T>> task) {
        Step<T> step = new Step<>(task);
        while (true) {
            Lane lane = lanes.get(key);
            if (lane == null) {
                lane = lanes.computeIfAbsent(key, newLane);
            }
            synchronized (lane) {
                if (lane.retired) {
                    // Its last worker removed it from the map after we found it: take a fresh one.
                    continue;
                }
                lane.queue.add(step);
                if (lane.running) {
                    return step.result;
                }
                lane.running = true;
            }
            // The task always runs on the pool, never on the submitting thread (an edge's event loop).
            handOff(lane);
            return step.result;
        }
    }

    /** Gives {@code lane} to a pool thread, which drains it; after {@link #close()}, fails what it holds. */
    private void handOff(Lane lane) {
        try {
            pool.execute(lane);
        } catch (RejectedExecutionException e) {
            ArrayDeque<Step<?>> left;
            synchronized (lane) {
                left = new ArrayDeque<>(lane.queue);
                lane.queue.clear();
                retire(lane);
            }
            for (Step<?> s : left) {
                s.result.completeExceptionally(e);
            }
        }
    }

    /**
     * On a pool thread: runs the lane's next task; when its stage is complete and more are queued, the
     * lane goes back to the pool for the next one rather than running it here. Running them back to back
     * on one thread let a step's sends overtake those an edge thread was still making for the step
     * before it (PresenceInteropTest saw a NOTIFY active reach the watcher before the NOTIFY pending that
     * the SUBSCRIBE's answer sends), so each task starts on a fresh hand-off, as it did before.
     */
    private void drain(Lane lane) {
        Step<?> step;
        synchronized (lane) {
            step = lane.queue.poll();
            if (step == null) {
                retire(lane);
                return;
            }
        }
        if (run(lane, step)) {
            synchronized (lane) {
                if (lane.queue.isEmpty()) {
                    retire(lane);
                    return;
                }
            }
            handOff(lane);
        }
    }

    /** The lane is empty and idle: it leaves the map; a submitter that still holds it takes a new one. */
    private void retire(Lane lane) {
        lane.running = false;
        lane.retired = true;
        lanes.remove(lane.key, lane);
    }

    /**
     * Runs one task. Returns whether the lane may go on at once (its stage is complete); otherwise the
     * lane waits for the stage, whose completion (or the sweep) hands it back to the pool.
     */
    private <T> boolean run(Lane lane, Step<T> step) {
        CompletableFuture<? extends T> stage;
        try {
            stage = step.task.get().toCompletableFuture();
        } catch (RuntimeException e) {
            fail(lane, step, e);
            return true;
        }
        if (stage.isDone() && !stage.isCompletedExceptionally()) {
            step.result.complete(stage.getNow(null));
            return true;
        }
        synchronized (lane) {
            lane.waitingFor = step;
            lane.waitingSince = System.nanoTime();
        }
        waiting.incrementAndGet();
        scheduleSweep();
        stage.whenComplete((value, error) -> resume(lane, step, value, error));
        return false;
    }

    /** The stage {@code lane} waited for has completed: completes the task's result and goes on with the lane. */
    private <T> void resume(Lane lane, Step<T> step, T value, Throwable error) {
        synchronized (lane) {
            if (lane.waitingFor != step) {
                // Abandoned by the sweep at the step limit; the lane has gone on without it.
                return;
            }
            lane.waitingFor = null;
        }
        waiting.decrementAndGet();
        if (error != null) {
            fail(lane, step, error);
        } else {
            step.result.complete(value);
        }
        handOff(lane);
    }

    private static void fail(Lane lane, Step<?> step, Throwable error) {
        LOG.warn("lane {}: task failed: {}", lane.key, error.toString());
        step.result.completeExceptionally(error);
    }

    private void scheduleSweep() {
        if (sweeping.compareAndSet(false, true)) {
            try {
                watch.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                sweeping.set(false);
            }
        }
    }

    /** Abandons every step that has waited for its stage longer than the step limit; runs while any waits. */
    private void sweep() {
        long now = System.nanoTime();
        for (Lane lane : lanes.values()) {
            Step<?> late;
            synchronized (lane) {
                late = lane.waitingFor;
                if (late == null || now - lane.waitingSince < stepLimitNanos) {
                    continue;
                }
                lane.waitingFor = null;
            }
            waiting.decrementAndGet();
            fail(lane, late, new TimeoutException());
            handOff(lane);
        }
        sweeping.set(false);
        if (waiting.get() > 0) {
            scheduleSweep();
        }
    }

    /** How many keys have work queued or running (for tests and the admin view). */
    public int busyLanes() {
        return lanes.size();
    }

    @Override
    public void close() {
        watch.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One task and its result. */
    private static final class Step<T> {
        final Supplier<? extends CompletionStage<T>> task;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Step(Supplier<? extends CompletionStage<T>> task) {
            this.task = task;
        }
    }

    /** One key's queue; all fields but {@code key} are guarded by the lane's monitor. */
    private final class Lane implements Runnable {
        final String key;
        final ArrayDeque<Step<?>> queue = new ArrayDeque<>(4);
        /** Whether a pool thread drains the lane or the lane waits for a stage. */
        boolean running;
        /** Removed from {@link #lanes}: a submitter that still found it must take a new one. */
        boolean retired;
        /** The step whose stage the lane waits for, if any, and since when ({@link System#nanoTime()}). */
        Step<?> waitingFor;
        long waitingSince;

        Lane(String key) {
            this.key = key;
        }

        @Override
        public void run() {
            drain(this);
        }
    }
}
