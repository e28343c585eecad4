package org.isthmus.gateway.routing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 */
public final class Lanes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lanes.class);

    private final ExecutorService pool;
    private final Duration stepLimit;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

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
        this.stepLimit = stepLimit;
    }

    /**
     * Runs {@code task} on {@code key}'s lane after every task submitted for the key before it; completes
     * with the task's result, or exceptionally if it throws, fails or exceeds the step limit.
     */
    public <T> CompletableFuture<T> submit(String key, Supplier<? extends CompletionStage<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] mine = new CompletableFuture[1];
        tails.compute(key, (k, tail) -> {
            CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            // thenComposeAsync: the task always runs on the pool, never on the submitting thread (an
            // edge's event loop), even when the previous task is already done.
            mine[0] = previous.handle((x, e) -> (Void) null).thenComposeAsync(x -> run(key, task, result), pool);
            return mine[0];
        });
        mine[0].whenComplete((x, e) -> tails.remove(key, mine[0]));
        return result;
    }

    private <T> CompletionStage<Void> run(String key, Supplier<? extends CompletionStage<T>> task,
                                          CompletableFuture<T> result) {
        CompletableFuture<T> stage;
        try {
            stage = task.get().toCompletableFuture();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.orTimeout(stepLimit.toMillis(), TimeUnit.MILLISECONDS).handle((value, error) -> {
            if (error != null) {
                LOG.warn("lane {}: task failed: {}", key, error.toString());
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
            return null;
        });
    }

    /** How many keys have work queued or running (for tests and the admin view). */
    public int busyLanes() {
        return tails.size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
