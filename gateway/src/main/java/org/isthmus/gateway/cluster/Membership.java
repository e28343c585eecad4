package org.isthmus.gateway.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.ClusterSettings;
import org.isthmus.gateway.store.StateStore;
import org.isthmus.gateway.store.StoreKey;

/**
 * This node's place among the nodes that share a store: it announces itself with an entry that
 * expires after {@link ClusterSettings#takeoverAfter()} and renews it every
 * {@link ClusterSettings#heartbeat()}; a sibling whose entry has expired is taken for dead. After each
 * announcement the listener runs, so that work such as taking over a dead sibling's subscriptions
 * follows the same clock.
 */
public final class Membership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    /** The store's namespace for node announcements. */
    public static final String NAMESPACE = "nodes";

    private final StateStore store;
    private final ClusterSettings settings;
    private final ScheduledExecutorService timer;
    private volatile ScheduledFuture<?> beat;

    /**
     * @param store    the store the nodes share
     * @param settings this node's name and timing
     * @param timer    runs the heartbeat
     */
    public Membership(StateStore store, ClusterSettings settings, ScheduledExecutorService timer) {
        this.store = store;
        this.settings = settings;
        this.timer = timer;
    }

    /** This node's name. */
    public String nodeId() {
        return settings.nodeId();
    }

    /** Announces this node now; completes once the announcement is stored. */
    public CompletionStage<Void> announce() {
        byte[] value = Instant.now().toString().getBytes(StandardCharsets.UTF_8);
        return store.put(key(settings.nodeId()), value, Optional.of(settings.takeoverAfter())).thenApply(v -> null);
    }

    /** Starts the heartbeat; {@code afterBeat} runs after each announcement that was stored. */
    public void start(Runnable afterBeat) {
        long period = settings.heartbeat().toMillis();
        beat = timer.scheduleWithFixedDelay(() -> announce().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("cluster: node {} could not announce itself: {}", nodeId(), error.toString());
                return;
            }
            try {
                afterBeat.run();
            } catch (RuntimeException e) {
                LOG.warn("cluster: after heartbeat: {}", e.toString());
            }
        }), period, period, TimeUnit.MILLISECONDS);
        LOG.info("cluster: node {} announces itself every {} ms; silent siblings are taken over after {} ms",
                nodeId(), period, settings.takeoverAfter().toMillis());
    }

    /** Whether {@code nodeId} has announced itself within the takeover time (this node always has). */
    public CompletionStage<Boolean> isAlive(String nodeId) {
        if (nodeId.equals(settings.nodeId())) {
            return CompletableFuture.completedFuture(true);
        }
        if (nodeId.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        return store.get(key(nodeId)).thenApply(Optional::isPresent);
    }

    private static StoreKey key(String nodeId) {
        return new StoreKey(NAMESPACE, nodeId);
    }

    /**
     * Stops the heartbeat and withdraws the announcement, so that siblings take this node's work over
     * at their next heartbeat instead of after the takeover time.
     */
    @Override
    public void close() {
        ScheduledFuture<?> b = beat;
        if (b != null) {
            b.cancel(false);
        }
        try {
            store.delete(key(settings.nodeId())).toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("cluster: node {} could not withdraw its announcement: {}", nodeId(), e.toString());
        }
    }
}
